#pragma once

// LineFramer: the stdio transport's framing of stdout bytes into newline-delimited lines, on its
// own so it can be tested and fuzzed without a process. Pure: no I/O, never blocks.
// - Each line comes without its "\n"; a line that ended in "\r\n" comes without the "\r" too,
//   with crlf = true. Nothing else is trimmed or decoded.
// - A line longer than max_line_bytes comes as one FramedLine with oversized = true (raw empty)
//   in its place, and the rest of it is discarded; the next line comes normally.
// - finish() (end of stream) yields an unterminated last line with terminated = false, unless it
//   was being discarded.
// Memory: at most max_line_bytes of a pending line are held. Not thread-safe.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mcp_probe::transport {

struct FramedLine {
  std::string raw;
  bool terminated = true;  // ended with '\n' (false: the stream ended mid-line)
  bool crlf = false;       // ended with "\r\n"
  bool oversized = false;  // longer than the limit: raw is empty, the rest was discarded
};

class LineFramer {
 public:
  explicit LineFramer(std::size_t max_line_bytes);

  // Appends the lines `data` completes (and oversized markers) to `out`, in order.
  void feed(std::string_view data, std::vector<FramedLine>& out);
  // End of stream: appends the unterminated last line, if any. Later feeds are ignored.
  void finish(std::vector<FramedLine>& out);

  std::size_t pending_bytes() const { return m_line.size(); }
  std::size_t max_line_bytes() const { return m_max; }

 private:
  void emit(bool terminated, std::vector<FramedLine>& out);

  std::size_t m_max;
  std::string m_line;         // the line being assembled
  bool m_discarding = false;  // skipping the rest of an over-long line
  bool m_finished = false;
};

}  // namespace mcp_probe::transport
