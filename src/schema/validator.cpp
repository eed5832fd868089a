#include "mcp_probe/schema/validator.h"

#include <algorithm>
#include <map>
#include <mutex>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "embedded_schemas.h"

namespace mcp_probe::schema {

struct Validator::Impl {
  std::string version;
  json::Json document;
  std::string container;  // "definitions" (draft-07 files) or "$defs" (2020-12 files)
  mutable std::mutex mutex;
  mutable std::map<std::string, std::unique_ptr<valijson::Schema>, std::less<>> compiled;

  const valijson::Schema* compile(std::string_view definition) const {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = compiled.find(definition);
    if (it != compiled.end()) return it->second.get();
    // The root of a copy of the document becomes a reference to the definition, so every
    // internal `$ref` keeps resolving against the whole document.
    json::Json root = document;
    root.erase("$schema");
    root["$ref"] = "#/" + container + "/" + std::string(definition);
    auto schema = std::make_unique<valijson::Schema>();
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(root);
    parser.populateSchema(adapter, *schema);
    auto* raw = schema.get();
    compiled.emplace(std::string(definition), std::move(schema));
    return raw;
  }
};

namespace {

// valijson's context is {"<root>", "[name]", "[0]", ...}; turn it into a JSON pointer.
std::string to_pointer(const std::vector<std::string>& context) {
  std::string out;
  for (const auto& part : context) {
    if (part == "<root>") continue;
    std::string token = part;
    if (token.size() >= 2 && token.front() == '[' && token.back() == ']') {
      token = token.substr(1, token.size() - 2);
    }
    std::string escaped;
    for (char c : token) {
      if (c == '~')
        escaped += "~0";
      else if (c == '/')
        escaped += "~1";
      else
        escaped += c;
    }
    out += "/" + escaped;
  }
  return out;
}

}  // namespace

const std::vector<std::string>& versions() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> v;
    for (std::size_t i = 0; i < embedded::k_file_count; ++i) v.emplace_back(embedded::k_files[i].version);
    return v;
  }();
  return all;
}

std::string_view schema_text(std::string_view version) {
  for (std::size_t i = 0; i < embedded::k_file_count; ++i) {
    if (version == embedded::k_files[i].version)
      return {embedded::k_files[i].text, embedded::k_files[i].size};
  }
  return {};
}

util::Expected<std::shared_ptr<const Validator>> Validator::for_version(std::string_view version) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const Validator>, std::less<>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(version);
  if (it != cache.end()) return it->second;
  auto text = schema_text(version);
  if (text.empty()) {
    return util::make_error(util::ErrorKind::usage,
                            "no schema for protocol version '" + std::string(version) + "'");
  }
  auto doc = json::parse(text);
  if (!doc) return doc.error();
  auto impl = std::make_unique<Impl>();
  impl->version = std::string(version);
  impl->container = doc->contains("$defs") ? "$defs" : "definitions";
  impl->document = std::move(*doc);
  std::shared_ptr<const Validator> validator(new Validator(std::move(impl)));
  cache.emplace(std::string(version), validator);
  return validator;
}

Validator::Validator(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Validator::~Validator() = default;

const std::string& Validator::version() const { return m_impl->version; }

bool Validator::has_definition(std::string_view definition) const {
  const auto& defs = m_impl->document[m_impl->container];
  return defs.contains(std::string(definition));
}

std::vector<std::string> Validator::definition_names() const {
  std::vector<std::string> names;
  for (const auto& [name, _] : m_impl->document[m_impl->container].items()) names.push_back(name);
  return names;
}

std::vector<Violation> Validator::validate(std::string_view definition, const json::Json& value) const {
  if (!has_definition(definition)) {
    return {{"", "schema " + m_impl->version + " has no definition '" + std::string(definition) + "'"}};
  }
  const valijson::Schema* schema = m_impl->compile(definition);
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(value);
  std::vector<Violation> out;
  if (validator.validate(*schema, target, &results)) return out;
  for (const auto& error : results) out.push_back({to_pointer(error.context), error.description});
  // Deepest first: the most specific reason leads, the "failed to match anyOf" summaries follow.
  std::stable_sort(out.begin(), out.end(), [](const Violation& a, const Violation& b) {
    return std::count(a.pointer.begin(), a.pointer.end(), '/') >
           std::count(b.pointer.begin(), b.pointer.end(), '/');
  });
  return out;
}

util::Expected<std::vector<Violation>> validate_against(const json::Json& schema_json,
                                                        const json::Json& value) {
  valijson::Schema schema;
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(schema_json);
    // No fetch function: a reference outside the document fails instead of reaching out.
    parser.populateSchema(adapter, schema);
  } catch (const std::exception& e) {
    return util::make_error(util::ErrorKind::protocol, std::string("unusable schema: ") + e.what());
  }
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(value);
  std::vector<Violation> out;
  if (validator.validate(schema, target, &results)) return out;
  for (const auto& error : results) out.push_back({to_pointer(error.context), error.description});
  return out;
}

}  // namespace mcp_probe::schema
