#pragma once

// Validation of messages against the official MCP JSON Schema of a protocol version.
// The schemas are embedded in the binary. Every version's schema is validated with
// JSON Schema draft-07 semantics: the 2020-12 schemas use no 2020-12-only keyword besides the
// `$defs` container, which is an ordinary JSON pointer target (see VERSIONS.md of the spec).
// Thread-safe: compiled definitions are cached behind a mutex.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mcp_probe/json/wire.h"
#include "mcp_probe/util/expected.h"

namespace mcp_probe::schema {

struct Violation {
  std::string pointer;  // RFC 6901 JSON pointer into the validated value ("" is the root)
  std::string reason;
};

// The protocol versions whose schemas are embedded, oldest first.
const std::vector<std::string>& versions();

// The raw schema.json text of a version, or empty when the version is unknown.
std::string_view schema_text(std::string_view version);

class Validator {
 public:
  // The validator of one protocol version (created once, shared). Fails for an unknown version.
  static util::Expected<std::shared_ptr<const Validator>> for_version(std::string_view version);

  const std::string& version() const;
  // Whether the schema defines `definition` (e.g. "CallToolResult").
  bool has_definition(std::string_view definition) const;
  std::vector<std::string> definition_names() const;

  // Validates `value` against the named definition. Returns every violation, deepest first;
  // an empty vector means valid. An unknown definition yields one violation saying so.
  std::vector<Violation> validate(std::string_view definition, const json::Json& value) const;

  ~Validator();
  Validator(const Validator&) = delete;
  Validator& operator=(const Validator&) = delete;

  struct Impl;

 private:
  explicit Validator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

// Validates `value` against a schema supplied by a server (a tool's inputSchema/outputSchema),
// with draft-07 semantics; 2020-12-only keywords are not understood and are ignored. Remote
// `$ref`s are never fetched: an unresolvable reference yields an Error.
util::Expected<std::vector<Violation>> validate_against(const json::Json& schema, const json::Json& value);

}  // namespace mcp_probe::schema
