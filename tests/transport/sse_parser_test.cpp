#include "mcp_probe/transport/sse_parser.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

TEST_SUITE_BEGIN("unit");

using mcp_probe::transport::SseEvent;
using mcp_probe::transport::SseParser;

namespace {

std::vector<SseEvent> parse_all(const std::string& stream) {
  SseParser p;
  auto events = p.feed(stream);
  p.finish();
  return events;
}

std::vector<SseEvent> parse_chunks(const std::vector<std::string>& chunks) {
  SseParser p;
  std::vector<SseEvent> out;
  for (const auto& c : chunks) {
    auto events = p.feed(c);
    out.insert(out.end(), events.begin(), events.end());
  }
  p.finish();
  return out;
}

bool same(const std::vector<SseEvent>& a, const std::vector<SseEvent>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].type != b[i].type || a[i].data != b[i].data || a[i].id != b[i].id || a[i].retry != b[i].retry ||
        a[i].id_seen != b[i].id_seen) {
      return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("transport::SseParser") {
  SUBCASE("event, data and id fields") {
    auto ev = parse_all("event: message\nid: 7\ndata: {\"a\":1}\n\n");
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].type == "message");
    CHECK(ev[0].data == "{\"a\":1}");
    CHECK(ev[0].id == "7");
    CHECK(ev[0].id_seen);
    CHECK_FALSE(ev[0].retry.has_value());
  }
  SUBCASE("no event field gives an empty type") {
    auto ev = parse_all("data: x\n\n");
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].type.empty());
    CHECK_FALSE(ev[0].id_seen);
  }
  SUBCASE("multi-line data is joined by LF, the final LF removed") {
    auto ev = parse_all("data: a\ndata:b\ndata\ndata:  c\n\n");
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].data == "a\nb\n\n c");
  }
  SUBCASE("only one leading space is removed") {
    auto ev = parse_all("data:  two\n\n");
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].data == " two");
  }
  SUBCASE("a priming event (id + empty data line) dispatches with empty data") {
    auto ev = parse_all("id: 88949e6e\ndata: \n\nevent: message\nid: 2d24\ndata: {}\n\n");
    REQUIRE(ev.size() == 2);
    CHECK(ev[0].data.empty());
    CHECK(ev[0].id == "88949e6e");
    CHECK(ev[0].id_seen);
    CHECK(ev[1].id == "2d24");
  }
  SUBCASE("a block without data does not dispatch, but its id persists") {
    SseParser p;
    auto ev = p.feed("id: 5\n\nevent: x\n\ndata: y\n\n");
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].data == "y");
    CHECK(ev[0].type.empty());  // the type of the undispatched block was reset
    CHECK(ev[0].id == "5");
    CHECK_FALSE(ev[0].id_seen);
    CHECK(p.last_event_id() == "5");
  }
  SUBCASE("id containing NUL is ignored; empty id resets the last event id") {
    const char raw[] = "id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\nid\ndata: c\n\n";
    auto ev = parse_all(std::string(raw, sizeof raw - 1));
    REQUIRE(ev.size() == 3);
    CHECK(ev[0].id == "1");
    CHECK(ev[1].id == "1");
    CHECK_FALSE(ev[1].id_seen);
    CHECK(ev[2].id.empty());
    CHECK(ev[2].id_seen);
  }
  SUBCASE("retry accepts digits only") {
    SseParser p;
    auto ev =
        p.feed("retry: 1500\ndata: a\n\nretry: 15x\ndata: b\n\nretry:\ndata: c\n\nretry: -1\ndata: d\n\n");
    REQUIRE(ev.size() == 4);
    CHECK(ev[0].retry == 1500);
    CHECK_FALSE(ev[1].retry.has_value());
    CHECK_FALSE(ev[2].retry.has_value());
    CHECK_FALSE(ev[3].retry.has_value());
    CHECK(p.reconnection_ms() == 1500);
  }
  SUBCASE("comments and unknown fields are ignored") {
    auto ev = parse_all(": keepalive\nfoo: bar\ndata: x\n:another\n\n: only a comment\n\n");
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].data == "x");
  }
  SUBCASE("a field with no colon is a field with an empty value") {
    auto ev = parse_all("data\ndata\n\n");
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].data == "\n");
    auto ev2 = parse_all("event\ndata: x\n\n");
    REQUIRE(ev2.size() == 1);
    CHECK(ev2[0].type.empty());
  }
  SUBCASE("CRLF, CR and LF line ends") {
    auto ev = parse_all("data: a\r\n\r\ndata: b\r\rdata: c\n\ndata: d\r\n\n");
    REQUIRE(ev.size() == 4);
    CHECK(ev[0].data == "a");
    CHECK(ev[1].data == "b");
    CHECK(ev[2].data == "c");
    CHECK(ev[3].data == "d");
  }
  SUBCASE("a CR at the end of one chunk and LF at the start of the next are one line end") {
    auto ev = parse_chunks({"data: a\r", "\ndata: b\r", "\n\r", "\n"});
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].data == "a\nb");
  }
  SUBCASE("a CR at a chunk end dispatches at once") {
    SseParser p;
    CHECK(p.feed("data: a\r\r").size() == 1);
  }
  SUBCASE("a leading BOM is stripped once, also when split") {
    auto ev = parse_all(
        "\xEF\xBB\xBF"
        "data: a\n\n");
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].data == "a");
    auto split = parse_chunks({"\xEF", "\xBB",
                               "\xBF"
                               "data: a\n\n"});
    REQUIRE(split.size() == 1);
    CHECK(split[0].data == "a");
    // A second BOM is content: it makes the field name unknown.
    auto twice = parse_all(
        "\xEF\xBB\xBF\xEF\xBB\xBF"
        "data: a\n\ndata: b\n\n");
    REQUIRE(twice.size() == 1);
    CHECK(twice[0].data == "b");
  }
  SUBCASE("an incomplete event at end of stream is discarded and reported") {
    SseParser p;
    auto ev = p.feed("data: a\n\ndata: b\n");
    CHECK(ev.size() == 1);
    p.finish();
    CHECK(p.has_partial_event());
    SseParser q;
    (void)q.feed("data: a\n\n: trailing comment");
    q.finish();
    CHECK_FALSE(q.has_partial_event());
    SseParser r;
    (void)r.feed("data: a\n\nda");
    CHECK(r.has_partial_event());
  }
  SUBCASE("every split point yields the same events") {
    const char raw[] =
        "\xEF\xBB\xBF: hello\r\nid: p1\r\ndata:\r\n\r\nevent: message\rid: m2\rdata: "
        "{\"jsonrpc\":\"2.0\"}\r\r"
        "retry: 300\ndata: line1\ndata: line2\n\ndata\nid: x\0y\n\nevent: end\r\ndata: z\r\n\r\n";
    const std::string s(raw, sizeof raw - 1);
    auto whole = parse_all(s);
    REQUIRE(whole.size() == 5);
    CHECK(whole[0].id == "p1");
    CHECK(whole[0].data.empty());
    CHECK(whole[1].data == "{\"jsonrpc\":\"2.0\"}");
    CHECK(whole[2].data == "line1\nline2");
    CHECK(whole[2].retry == 300);
    CHECK(whole[3].data.empty());
    CHECK(whole[3].id == "m2");
    CHECK(whole[4].type == "end");
    for (std::size_t i = 0; i <= s.size(); ++i) {
      CAPTURE(i);
      CHECK(same(parse_chunks({s.substr(0, i), s.substr(i)}), whole));
    }
    std::vector<std::string> bytes;
    for (char c : s) bytes.emplace_back(1, c);
    CHECK(same(parse_chunks(bytes), whole));
  }
  SUBCASE("an oversized event turns into an error") {
    SseParser p(64);
    auto ev = p.feed("data: small\n\n");
    CHECK(ev.size() == 1);
    ev = p.feed("data: " + std::string(100, 'x'));
    CHECK(ev.empty());
    REQUIRE(p.failed());
    CHECK(p.error().find("64 bytes") != std::string::npos);
    CHECK(p.feed("\n\ndata: a\n\n").empty());
    SseParser q(64);
    for (int i = 0; i < 20; ++i) (void)q.feed("data: 12345\n");
    CHECK(q.failed());
  }
}
