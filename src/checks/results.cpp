#include "results.h"

namespace mcp_probe::checks {

namespace {

int rank(Status s) {
  switch (s) {
    case Status::skip:
      return 0;
    case Status::error:
      return 1;
    case Status::pass:
      return 2;
    case Status::warn:
      return 3;
    case Status::fail:
      return 4;
  }
  return 0;
}

// The level a recorded outcome applied: a FAIL rests on a MUST and a WARN on a SHOULD whatever
// path recorded them; anything else carries the rule's level in `version`.
Level applied_level(CheckId id, Status status, const std::string& version) {
  if (status == Status::fail) return Level::must;
  if (status == Status::warn) return Level::should;
  return def(id).level_in(version);
}

}  // namespace

bool Results::selected(CheckId id) const { return checks::selected(m_options, to_string(id)); }

std::string Results::not_applicable(CheckId id) const {
  const CheckDef& d = def(id);
  if (!m_version.empty() && !d.applies_to_version(version_bit(m_version))) {
    return "not applicable to protocol version " + m_version;
  }
  if (!d.applies_to_transport(transport_bit(m_transport))) {
    return std::string("not applicable to the ") + transport::to_string(*m_transport) + " transport";
  }
  if (m_capabilities && !d.applies_to_capabilities(*m_capabilities)) {
    return std::string("not applicable: the server does not declare the ") + capability_name(d.needs) +
           " capability";
  }
  return "";
}

Results::Record& Results::slot(CheckId id) {
  auto& r = m_records[index_of(id)];
  if (!r) {
    r.emplace();
    r->result.info = def(id).info;
    r->result.status = Status::skip;
    r->result.protocol_version = m_version;
  }
  return *r;
}

void Results::record(CheckId id, Status status, const std::string& message, Evidence evidence,
                     const std::string& version) {
  if (!wants(id)) return;
  // After Ctrl-C every wait gives up at once: a failure seen now is the interruption, not the
  // server. The check is recorded as interrupted.
  if (interrupted() && (status == Status::fail || status == Status::warn)) {
    record(id, Status::error, "interrupted (Ctrl-C) while this check was running", {}, version);
    return;
  }
  Record& r = slot(id);
  r.result.duration_ms = util::monotonic_ms() - m_step_started;
  bool is_violation = status == Status::fail || status == Status::warn;
  if (is_violation) ++r.violations;
  if (status == Status::pass) ++r.passes;
  bool first = r.passes + r.violations <= 1 && r.result.message.empty();
  if (is_violation) {
    if (r.result.details.size() < k_max_details) {
      r.result.details.push_back({status, message, evidence.expected, evidence.observed});
    } else {
      ++r.result.details_dropped;
    }
  }
  if (rank(status) > rank(r.result.status) || first) {
    r.result.status = status;
    r.result.message = message;
    r.result.info.diagnosis = evidence.diagnosis.empty() ? def(id).info.diagnosis : evidence.diagnosis;
    r.result.expected = std::move(evidence.expected);
    r.result.observed = std::move(evidence.observed);
    r.result.trace_refs = std::move(evidence.refs);
    r.result.protocol_version = version;
    r.result.info.level = applied_level(id, status, version);
  } else if (is_violation && rank(status) == rank(r.result.status)) {
    // Keep the first violation's words; say how many more there were.
    auto pos = r.result.message.rfind(" (+");
    std::string base = pos == std::string::npos ? r.result.message : r.result.message.substr(0, pos);
    r.result.message = base + " (+" + std::to_string(r.violations - 1) + " more)";
  }
  // Once per check, when it is first decided (the progress line counts checks, not events).
  if (m_options.on_result && !r.reported) {
    r.reported = true;
    m_options.on_result(r.result);
  }
}

void Results::violation(CheckId id, const std::string& message, Evidence evidence,
                        const std::string& version) {
  switch (def(id).level_in(version)) {
    case Level::must:
      record(id, Status::fail, message, std::move(evidence), version);
      break;
    case Level::should:
      record(id, Status::warn, message, std::move(evidence), version);
      break;
    case Level::info:
      record(id, Status::pass, message, std::move(evidence), version);
      break;
  }
}

void Results::skip(CheckId id, const std::string& reason) {
  if (!wants(id)) return;
  Record& r = slot(id);
  if (r.result.status == Status::skip) r.result.message = reason;
}

bool Results::failed(CheckId id) const {
  const auto& r = m_records[index_of(id)];
  return r && (r->result.status == Status::fail || r->result.status == Status::warn);
}

void Results::step_failed(std::string_view step, std::string_view what, const std::vector<CheckId>& owned) {
  std::string why = "not run: the probe step '" + std::string(step) + "' stopped on unexpected data (" +
                    std::string(what) + ")";
  for (CheckId id : owned) {
    if (!recorded(id)) record(id, Status::error, why, {}, m_version);
  }
}

std::vector<CheckResult> Results::finish() const {
  std::vector<CheckResult> out;
  for (const CheckDef& d : check_defs()) {
    if (!selected(d.id)) continue;
    if (const auto& r = m_records[index_of(d.id)]) {
      out.push_back(r->result);
      continue;
    }
    CheckResult r;
    r.info = d.info;
    r.info.level = d.level_in(m_version);
    r.protocol_version = m_version;
    r.status = Status::skip;
    r.message = not_applicable(d.id);
    if (r.message.empty()) {
      r.message = d.info.kind == Kind::fixture ? "needs an allowed tool or fixture (see --allow-tool)"
                                               : "not exercised by this run";
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace mcp_probe::checks
