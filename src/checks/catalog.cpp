// The catalog: concatenates the per-group tables and indexes them by id.

#include "mcp_probe/checks/catalog.h"

#include <cstdlib>
#include <iterator>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "catalog_parts.h"
#include "check_def.h"
#include "mcp_probe/protocol/versions.h"

namespace mcp_probe::checks {

namespace {

constexpr const char* k_id_texts[] = {
#define MCP_PROBE_CHECK(name, text, ...) text,
// clang-format off
#include "mcp_probe/checks/catalog_core.def"
#include "mcp_probe/checks/catalog_transport.def"
#include "mcp_probe/checks/catalog_features.def"
#include "mcp_probe/checks/catalog_modern.def"
// clang-format on
#undef MCP_PROBE_CHECK
};
static_assert(std::size(k_id_texts) == k_check_count);

}  // namespace

const char* to_string(CheckId id) { return k_id_texts[index_of(id)]; }

std::optional<CheckId> parse_check_id(std::string_view text) {
  if (const CheckDef* d = find_def(text)) return d->id;
  return std::nullopt;
}

Level CheckDef::level_in(std::string_view version) const {
  if (version.empty() || earlier_versions == 0) return info.level;
  unsigned bit = version_bit(version);
  return bit == 0 || (earlier_versions & bit) != 0 ? earlier_level : info.level;
}

CheckDef make_def(CheckId id, Levels levels, Kind kind, Versions versions, Transports transports,
                  const char* title, const char* spec, const char* diagnosis, Needs needs) {
  std::string id_str = to_string(id);
  CheckDef def;
  def.id = id;
  def.info.area = id_str.substr(0, id_str.find('.'));
  def.info.id = std::move(id_str);
  def.info.level = levels.level;
  def.earlier_level = levels.earlier;
  def.earlier_versions = levels.earlier_versions;
  def.info.kind = kind;
  def.info.versions = versions.text;
  def.info.transports = transports.text;
  def.info.title = title;
  def.info.spec = spec;
  def.info.diagnosis = diagnosis;
  def.versions = versions.mask;
  def.transports = transports.mask;
  def.needs = needs.mask;
  def.info.needs = needs.mask != 0 ? capability_name(needs.mask) : "";
  if (levels.earlier_versions != 0 && levels.earlier != levels.level) {
    def.info.earlier_level = levels.earlier;
    for (const protocol::VersionInfo& v : protocol::k_versions) {
      if ((levels.earlier_versions & version_bit(v.name)) == 0) continue;
      def.info.earlier_versions += (def.info.earlier_versions.empty() ? "" : ", ") + std::string(v.name);
    }
  }
  return def;
}

const std::vector<CheckDef>& check_defs() {
  static const std::vector<CheckDef> defs = [] {
    std::vector<CheckDef> all = core_check_defs();
    auto append = [&all](std::vector<CheckDef> part) {
      all.insert(all.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
    };
    append(transport_check_defs());
    append(feature_check_defs());
    append(modern_check_defs());
    // core, transport, features, modern: the order CheckId was declared in, so def(id) is an index.
    if (all.size() != k_check_count) std::abort();
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (index_of(all[i].id) != i) std::abort();
    }
    return all;
  }();
  return defs;
}

namespace {

// Keys view the strings of check_defs(), which lives until exit and never changes.
const std::unordered_map<std::string_view, std::size_t>& index_by_id() {
  static const std::unordered_map<std::string_view, std::size_t> index = [] {
    std::unordered_map<std::string_view, std::size_t> map;
    const auto& defs = check_defs();
    for (std::size_t i = 0; i < defs.size(); ++i) map.emplace(defs[i].info.id, i);
    return map;
  }();
  return index;
}

}  // namespace

const CheckDef& def(CheckId id) { return check_defs()[index_of(id)]; }

const CheckDef* find_def(std::string_view id) {
  const auto& index = index_by_id();
  auto it = index.find(id);
  return it == index.end() ? nullptr : &check_defs()[it->second];
}

unsigned version_bit(std::string_view version) {
  if (version == "2024-11-05") return k_v2024_11_05;
  if (version == "2025-03-26") return k_v2025_03_26;
  if (version == "2025-06-18") return k_v2025_06_18;
  if (version == "2025-11-25") return k_v2025_11_25;
  if (version == "2026-07-28") return k_v2026_07_28;
  return 0;
}

unsigned capability_bits(const nlohmann::json& capabilities) {
  unsigned bits = 0;
  if (!capabilities.is_object()) return bits;
  for (unsigned bit = k_cap_tools; bit <= k_cap_completions; bit <<= 1) {
    const auto it = capabilities.find(capability_name(bit));
    if (it != capabilities.end() && !it->is_null()) bits |= bit;
  }
  return bits;
}

const char* capability_name(unsigned bit) {
  switch (bit) {
    case k_cap_tools:
      return "tools";
    case k_cap_resources:
      return "resources";
    case k_cap_prompts:
      return "prompts";
    case k_cap_logging:
      return "logging";
    case k_cap_completions:
      return "completions";
    default:
      return "";
  }
}

unsigned transport_bit(std::optional<transport::TransportKind> kind) {
  if (!kind) return 0;
  switch (*kind) {
    case transport::TransportKind::stdio:
      return k_stdio;
    case transport::TransportKind::http:
      return k_http;
    case transport::TransportKind::sse:
      return k_sse;
  }
  return 0;
}

const std::vector<CheckInfo>& catalog() {
  static const std::vector<CheckInfo> infos = [] {
    std::vector<CheckInfo> out;
    out.reserve(check_defs().size());
    for (const auto& def : check_defs()) out.push_back(def.info);
    return out;
  }();
  return infos;
}

const CheckInfo* find_check(std::string_view id) {
  const CheckDef* def = find_def(id);
  // catalog() mirrors check_defs() index for index.
  return def == nullptr ? nullptr : &catalog()[static_cast<std::size_t>(def - check_defs().data())];
}

const char* to_string(Status s) {
  switch (s) {
    case Status::pass:
      return "pass";
    case Status::fail:
      return "fail";
    case Status::warn:
      return "warn";
    case Status::skip:
      return "skip";
    case Status::error:
      return "error";
  }
  return "unknown";
}

const char* to_string(Level l) {
  switch (l) {
    case Level::must:
      return "must";
    case Level::should:
      return "should";
    case Level::info:
      return "info";
  }
  return "unknown";
}

const char* to_string(Kind k) {
  switch (k) {
    case Kind::passive:
      return "passive";
    case Kind::active:
      return "active";
    case Kind::negative:
      return "negative";
    case Kind::fixture:
      return "fixture";
  }
  return "unknown";
}

RunSummary RunReport::summary() const {
  RunSummary s;
  for (const auto& c : checks) {
    switch (c.status) {
      case Status::pass:
        ++s.pass;
        break;
      case Status::fail:
        ++s.fail;
        break;
      case Status::warn:
        ++s.warn;
        break;
      case Status::skip:
        ++s.skip;
        break;
      case Status::error:
        ++s.error;
        break;
    }
  }
  return s;
}

}  // namespace mcp_probe::checks
