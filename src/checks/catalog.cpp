// The catalog: concatenates the per-group tables and indexes them by id.

#include "mcp_probe/checks/catalog.h"

#include <iterator>
#include <string>
#include <unordered_map>
#include <utility>

#include "catalog_parts.h"
#include "check_def.h"

namespace mcp_probe::checks {

CheckDef make_def(const char* id, Level level, Kind kind, Versions versions, Transports transports,
                  const char* title, const char* spec, const char* diagnosis) {
  std::string id_str = id;
  CheckDef def;
  def.info.area = id_str.substr(0, id_str.find('.'));
  def.info.id = std::move(id_str);
  def.info.level = level;
  def.info.kind = kind;
  def.info.versions = versions.text;
  def.info.transports = transports.text;
  def.info.title = title;
  def.info.spec = spec;
  def.info.diagnosis = diagnosis;
  def.versions = versions.mask;
  def.transports = transports.mask;
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
