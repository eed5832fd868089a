// SSE streams, HTTP sessions, the registry and worker threads of the HTTP front-ends.

#include <sys/random.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <thread>

#include "refserver/http_internal.h"

namespace mcp_probe::refserver::http {

void write_event(std::string& out, std::string_view type, std::string_view id, std::string_view data) {
  out.reserve(out.size() + type.size() + id.size() + data.size() + 24);
  if (!type.empty()) out.append("event: ").append(type).append("\n");
  if (!id.empty()) out.append("id: ").append(id).append("\n");
  // A JSON text has no raw newlines, but split defensively so the framing can never break.
  std::size_t start = 0;
  while (true) {
    const std::size_t nl = data.find('\n', start);
    out.append("data: ")
        .append(data.substr(start, nl == std::string_view::npos ? nl : nl - start))
        .append("\n");
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  out.append("\n");
}

// ---- SseStream ----

SseStream::SseStream(int number, bool standalone, bool with_ids, std::string id_prefix)
    : m_number(number), m_standalone(standalone), m_with_ids(with_ids), m_id_prefix(std::move(id_prefix)) {
  m_events.reserve(2);  // most streams: a priming event and a response
}

std::string_view SseStream::event_id(std::uint64_t seq, char (&buffer)[64]) const {
  const std::size_t prefix = std::min(m_id_prefix.size(), sizeof buffer - 24);
  std::memcpy(buffer, m_id_prefix.data(), prefix);
  const auto end = std::to_chars(buffer + prefix, buffer + sizeof buffer, seq).ptr;
  return std::string_view(buffer, static_cast<std::size_t>(end - buffer));
}

void SseStream::push_locked(SseEvent event) {
  m_events.push_back(std::move(event));
  if (m_events.size() - m_first > k_stream_history) m_events[m_first++] = SseEvent{};  // its text freed
  if (m_first >= k_stream_history) {
    m_events.erase(m_events.begin(), m_events.begin() + static_cast<std::ptrdiff_t>(m_first));
    m_first = 0;
  }
}

void SseStream::append(std::string_view type, std::string_view data) {
  {
    std::lock_guard lock(m_mutex);
    if (m_closed) return;
    SseEvent event;
    event.seq = m_next_seq++;
    char id[64];
    write_event(event.wire, type, m_with_ids ? event_id(event.seq, id) : std::string_view(), data);
    push_locked(std::move(event));
  }
  m_cv.notify_all();
}

void SseStream::append_priming(int retry_ms) {
  {
    std::lock_guard lock(m_mutex);
    if (m_closed) return;
    SseEvent event;
    event.seq = m_next_seq++;
    event.priming = true;
    // A priming event always has an id (SEP-1699): it is what a client resumes from.
    char id[64];
    event.wire.append("id: ").append(event_id(event.seq, id)).append("\n");
    if (retry_ms > 0) event.wire.append("retry: ").append(std::to_string(retry_ms)).append("\n");
    event.wire.append("data: \n\n");
    push_locked(std::move(event));
  }
  m_cv.notify_all();
}

void SseStream::finish() {
  {
    std::lock_guard lock(m_mutex);
    m_finished = true;
  }
  m_cv.notify_all();
}

void SseStream::close() {
  {
    std::lock_guard lock(m_mutex);
    m_closed = true;
    m_finished = true;
  }
  m_cv.notify_all();
}

bool SseStream::finished() const {
  std::lock_guard lock(m_mutex);
  return m_finished;
}

SseStream::Batch SseStream::wait_after(std::uint64_t cursor, std::uint64_t reader,
                                       std::chrono::milliseconds wait) {
  std::unique_lock lock(m_mutex);
  auto ready = [&] {
    return m_closed || m_reader != reader || m_probe || m_finished ||
           (m_events.size() > m_first && m_events.back().seq > cursor);
  };
  m_cv.wait_for(lock, wait, ready);
  Batch batch;
  batch.closed = m_closed;
  batch.superseded = m_reader != reader;
  batch.probe = m_probe;
  m_probe = false;
  for (std::size_t i = m_first; i < m_events.size(); ++i) {
    if (m_events[i].seq > cursor) batch.events.push_back(m_events[i]);
  }
  batch.drained = m_finished;
  return batch;
}

void SseStream::append_wire(std::uint64_t cursor, std::string& out) const {
  std::lock_guard lock(m_mutex);
  for (std::size_t i = m_first; i < m_events.size(); ++i) {
    if (m_events[i].seq > cursor) out.append(m_events[i].wire);
  }
}

void SseStream::read_whole(std::string& out) {
  {
    std::lock_guard lock(m_mutex);
    std::size_t size = out.size();
    for (std::size_t i = m_first; i < m_events.size(); ++i) size += m_events[i].wire.size();
    out.reserve(size);
    for (std::size_t i = m_first; i < m_events.size(); ++i) out.append(m_events[i].wire);
    m_reader = 0;  // as attach then detach leave it: any other reader is superseded
  }
  m_cv.notify_all();
}

std::uint64_t SseStream::attach() {
  std::uint64_t token;
  {
    std::lock_guard lock(m_mutex);
    token = m_next_reader++;
    m_reader = token;
  }
  m_cv.notify_all();
  return token;
}

void SseStream::detach(std::uint64_t reader) {
  {
    std::lock_guard lock(m_mutex);
    if (m_reader == reader) m_reader = 0;
  }
  m_cv.notify_all();
}

bool SseStream::has_reader() const {
  std::lock_guard lock(m_mutex);
  return m_reader != 0;
}

bool SseStream::probe_reader(std::chrono::milliseconds wait) {
  std::unique_lock lock(m_mutex);
  if (m_reader == 0) return true;
  m_probe = true;
  m_cv.notify_all();
  return m_cv.wait_for(lock, wait, [&] { return m_reader == 0; });
}

// ---- outboxes ----

void CollectOutbox::send(const std::string& message) {
  std::lock_guard lock(m_mutex);
  m_messages.push_back(message);
}

std::vector<std::string> CollectOutbox::take() {
  std::lock_guard lock(m_mutex);
  return std::move(m_messages);
}

void StandaloneOutbox::send(const std::string& message) { m_owner.send_standalone(message); }

// ---- HttpSession ----

HttpSession::HttpSession(std::string id, const Config& config, bool legacy)
    : m_id(std::move(id)),
      m_config(config),
      m_legacy(legacy),
      m_last_used(std::chrono::steady_clock::now().time_since_epoch().count()),
      m_session(std::make_unique<Session>(config, m_standalone_outbox)) {}

HttpSession::~HttpSession() { m_session.reset(); }

std::shared_ptr<SseStream> HttpSession::new_stream(bool standalone) {
  std::lock_guard lock(m_mutex);
  int number = m_next_stream++;
  // duplicate-event-ids: every stream restarts at 1 with no stream prefix.
  std::string prefix = m_config.has("duplicate-event-ids") ? "" : std::to_string(number) + "-";
  auto stream = std::make_shared<SseStream>(number, standalone, !m_legacy, prefix);
  m_streams.emplace_back(number, stream);
  if (standalone) {
    if (m_standalone) m_standalone->finish();
    m_standalone = stream;
  }
  // Bound the history: drop the oldest finished streams nobody reads.
  while (m_streams.size() > k_retained_streams) {
    auto victim = std::find_if(m_streams.begin(), m_streams.end(), [&](const auto& kv) {
      return kv.second != m_standalone && kv.second->finished() && !kv.second->has_reader();
    });
    if (victim == m_streams.end()) break;
    m_streams.erase(victim);
  }
  return stream;
}

std::shared_ptr<SseStream> HttpSession::find_stream(int number) {
  std::lock_guard lock(m_mutex);
  auto it = std::lower_bound(m_streams.begin(), m_streams.end(), number,
                             [](const auto& kv, int n) { return kv.first < n; });
  return it == m_streams.end() || it->first != number ? nullptr : it->second;
}

std::shared_ptr<SseStream> HttpSession::standalone_stream() {
  std::lock_guard lock(m_mutex);
  return m_standalone;
}

void HttpSession::send_standalone(const std::string& message) {
  std::shared_ptr<SseStream> target;
  {
    std::lock_guard lock(m_mutex);
    target = m_standalone;
    if (!target) {
      m_pending.push_back(message);
      while (m_pending.size() > k_pending_standalone) m_pending.pop_front();
      return;
    }
  }
  target->append("message", message);
}

void HttpSession::flush_pending() {
  std::lock_guard lock(m_mutex);
  if (!m_standalone) return;
  while (!m_pending.empty()) {
    m_standalone->append("message", std::move(m_pending.front()));
    m_pending.pop_front();
  }
}

void HttpSession::touch(std::chrono::steady_clock::time_point now) {
  m_last_used.store(now.time_since_epoch().count(), std::memory_order_relaxed);
}

void HttpSession::begin_use() {
  std::lock_guard lock(m_mutex);
  ++m_users;
  touch(std::chrono::steady_clock::now());
}

void HttpSession::end_use() {
  std::lock_guard lock(m_mutex);
  --m_users;
  touch(std::chrono::steady_clock::now());
}

bool HttpSession::idle_for(std::chrono::steady_clock::duration d) const {
  std::lock_guard lock(m_mutex);
  return m_users == 0 && std::chrono::steady_clock::now() - last_used() >= d;
}

std::chrono::steady_clock::time_point HttpSession::last_used() const {
  using clock = std::chrono::steady_clock;
  return clock::time_point(clock::duration(m_last_used.load(std::memory_order_relaxed)));
}

bool HttpSession::in_use() const {
  std::lock_guard lock(m_mutex);
  return m_users > 0;
}

void HttpSession::end() {
  m_session->stop();
  std::lock_guard lock(m_mutex);
  for (auto& kv : m_streams) kv.second->close();
  if (m_standalone) m_standalone->close();
}

// ---- SessionRegistry ----

std::string random_hex_id() {
  unsigned char bytes[16];
  std::size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
    if (n > 0) got += static_cast<std::size_t>(n);
  }
  static const char* k_hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += k_hex[b >> 4];
    out += k_hex[b & 15];
  }
  return out;
}

SessionRegistry::SessionRegistry(const Config& config, const HttpOptions& options)
    : m_config(config), m_options(options) {}

std::shared_ptr<HttpSession> SessionRegistry::create(bool legacy) {
  std::string id = random_hex_id();
  // session-id-bad-chars: a space and a non-ASCII byte (U+00E9 in UTF-8) in the id.
  if (m_config.has("session-id-bad-chars")) id = "sess \xC3\xA9" + id.substr(0, 24);
  auto fresh = std::make_shared<HttpSession>(id, m_config, legacy);
  std::shared_ptr<HttpSession> evicted;
  {
    std::lock_guard lock(m_mutex);
    std::size_t cap = static_cast<std::size_t>(std::max(1, m_options.max_sessions));
    if (m_sessions.size() >= cap) {
      // The least recently used idle session; if every session is busy, the least recent one.
      auto pick = m_sessions.end();
      for (bool need_idle : {true, false}) {
        for (auto it = m_sessions.begin(); it != m_sessions.end(); ++it) {
          if (need_idle && it->second->in_use()) continue;
          if (pick == m_sessions.end() || it->second->last_used() < pick->second->last_used()) pick = it;
        }
        if (pick != m_sessions.end()) break;
      }
      if (pick != m_sessions.end()) {
        evicted = pick->second;
        m_sessions.erase(pick);
      }
    }
    m_sessions[id] = fresh;
    m_latest = fresh;
  }
  if (evicted) evicted->end();
  return fresh;
}

std::shared_ptr<HttpSession> SessionRegistry::find(std::string_view id) {
  // Every request takes this lock, shared: requests do not wait for each other (one preempted
  // in here made every other one sleep on the futex), only for a change of the registry. The
  // session is touched under it, so that expire_idle cannot end it between lookup and use.
  const auto now = std::chrono::steady_clock::now();
  std::shared_lock lock(m_mutex);
  auto it = m_sessions.find(id);
  if (it == m_sessions.end()) return nullptr;
  it->second->touch(now);
  return it->second;
}

std::shared_ptr<HttpSession> SessionRegistry::latest() {
  std::shared_lock lock(m_mutex);
  return m_latest.lock();
}

bool SessionRegistry::remove(const std::string& id) {
  std::shared_ptr<HttpSession> gone;
  {
    std::lock_guard lock(m_mutex);
    auto it = m_sessions.find(id);
    if (it == m_sessions.end()) return false;
    gone = it->second;
    m_sessions.erase(it);
  }
  gone->end();
  return true;
}

void SessionRegistry::expire_idle() {
  auto limit = std::chrono::seconds(std::max(1, m_options.session_idle_timeout_s));
  std::vector<std::shared_ptr<HttpSession>> expired;
  {
    std::lock_guard lock(m_mutex);
    for (auto it = m_sessions.begin(); it != m_sessions.end();) {
      // A legacy session lives as long as its GET stream (it is "in use" while connected).
      if (it->second->idle_for(limit)) {
        expired.push_back(it->second);
        it = m_sessions.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& s : expired) s->end();
}

void SessionRegistry::end_all() {
  decltype(m_sessions) all;
  {
    std::lock_guard lock(m_mutex);
    all.swap(m_sessions);
  }
  for (auto& kv : all) kv.second->end();
}

std::size_t SessionRegistry::size() const {
  std::shared_lock lock(m_mutex);
  return m_sessions.size();
}

// ---- WorkerGroup ----

WorkerGroup::~WorkerGroup() {
  std::lock_guard threads(m_threads_mutex);
  reap_locked();
  // Still running: each holds the state, so it touches nothing freed.
  for (auto& entry : m_threads) entry.second.detach();
}

void WorkerGroup::spawn(std::function<void()> work) {
  std::lock_guard threads(m_threads_mutex);
  reap_locked();
  {
    std::lock_guard lock(m_state->mutex);
    ++m_state->running;
  }
  std::thread worker([state = m_state, work = std::move(work)] {
    try {
      work();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "mcp-refserver: handler failed: %s\n", e.what());
    } catch (...) {
      std::fprintf(stderr, "mcp-refserver: handler failed\n");
    }
    std::lock_guard lock(state->mutex);
    state->finished.push_back(std::this_thread::get_id());
    --state->running;
    state->cv.notify_all();
  });
  // Before any reap can look for it: reaping takes m_threads_mutex, held here.
  const std::thread::id id = worker.get_id();
  m_threads.emplace(id, std::move(worker));
}

void WorkerGroup::reap_locked() {
  std::vector<std::thread::id> finished;
  {
    std::lock_guard lock(m_state->mutex);
    finished.swap(m_state->finished);
  }
  // A finished worker has only its thread exit left (thread_local destructors): a short join.
  for (const std::thread::id& id : finished) {
    auto it = m_threads.find(id);
    if (it == m_threads.end()) continue;
    it->second.join();
    m_threads.erase(it);
  }
}

bool WorkerGroup::wait_idle(std::chrono::milliseconds wait) {
  {
    std::unique_lock lock(m_state->mutex);
    if (!m_state->cv.wait_for(lock, wait, [&] { return m_state->running == 0; })) return false;
  }
  std::lock_guard threads(m_threads_mutex);
  reap_locked();
  return true;
}

}  // namespace mcp_probe::refserver::http
