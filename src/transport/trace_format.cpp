#include "mcp_probe/transport/trace_format.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace mcp_probe::transport {

namespace {

using OrderedJson = nlohmann::ordered_json;

std::string format_ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%7.1f", ms);
  return buf;
}

std::string escape_controls(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string shorten(const std::string& body) {
  if (body.size() <= k_text_body_limit) return escape_controls(body);
  std::size_t cut = k_text_body_limit;
  // Do not cut a UTF-8 sequence in half.
  while (cut > 0 && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80) --cut;
  return escape_controls(std::string_view(body).substr(0, cut)) + " ... (" +
         std::to_string(body.size() - cut) + " more bytes, see --trace)";
}

}  // namespace

std::string trace_to_ndjson(const TraceEvent& e) {
  OrderedJson j;
  j["id"] = e.id;
  j["t_ms"] = static_cast<double>(static_cast<long long>(e.at_ms * 1000.0 + 0.5)) / 1000.0;
  j["dir"] = to_string(e.direction);
  if (!e.channel.empty()) j["channel"] = e.channel;
  if (!e.http_method.empty()) j["method"] = e.http_method;
  if (!e.url.empty()) j["url"] = e.url;
  if (e.http_status != 0) j["status"] = e.http_status;
  if (!e.headers.empty()) {
    OrderedJson headers = OrderedJson::object();
    for (const auto& [name, value] : e.headers) {
      if (headers.contains(name)) {
        headers[name] = headers[name].get<std::string>() + ", " + value;
      } else {
        headers[name] = value;
      }
    }
    j["headers"] = std::move(headers);
  }
  if (!e.sse_event.empty()) j["sse_event"] = e.sse_event;
  if (!e.sse_id.empty()) j["sse_id"] = e.sse_id;
  if (!e.body.empty()) j["body"] = e.body;
  return j.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

std::string trace_to_text(const TraceEvent& e, bool verbose) {
  std::string line = "[" + format_ms(e.at_ms) + " ms] ";
  switch (e.direction) {
    case Direction::send:
      line += "-> ";
      break;
    case Direction::receive:
      line += "<- ";
      break;
    case Direction::info:
      line += "-- ";
      break;
  }
  if (!e.http_method.empty()) {
    line += e.http_method + " " + e.url;
  } else if (e.http_status != 0) {
    line += std::to_string(e.http_status);
    if (auto ct = find_header(e.headers, "content-type")) line += " " + *ct;
  } else if (e.channel == "sse") {
    line += "sse";
    if (!e.sse_event.empty()) line += " event=" + escape_controls(e.sse_event);
    if (!e.sse_id.empty()) line += " id=" + escape_controls(e.sse_id);
  } else {
    line += e.channel;
  }
  if (!e.body.empty()) line += " " + shorten(e.body);
  if (verbose) {
    for (const auto& [name, value] : e.headers) {
      line += "\n            " + escape_controls(name) + ": " + escape_controls(value);
    }
  }
  return line;
}

}  // namespace mcp_probe::transport
