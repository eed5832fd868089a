// A per-thread cache of small freed blocks, under mcp-refserver's operator new and delete
// (small_blocks.cpp). A request allocates and frees some seventy small blocks, more of one size
// than glibc's per-thread cache keeps (7), and each allocation it misses takes a lock of an arena
// that many of the server's threads share. Blocks are rounded up to a multiple of k_granule and
// kept by that size class, at most k_max_cached per class: a thread holds at most ~70 KB, and
// what it holds when it exits goes back to malloc (release_all). Value-initialize one
// (`SmallBlockCache cache{};`, or a thread_local or static one): it has no constructor.
#pragma once

#include <cstddef>
#include <cstdlib>

namespace mcp_probe::refserver {

class SmallBlockCache {
 public:
  static constexpr std::size_t k_granule = 16;
  static constexpr std::size_t k_classes = 16;  // blocks of up to 256 bytes
  static constexpr unsigned k_max_cached = 32;  // per class

  // Whether a block of `size` bytes is one of ours; its class and the size malloc is asked for.
  static constexpr bool small(std::size_t size) { return size - 1 < k_classes * k_granule; }
  static constexpr std::size_t class_of(std::size_t size) { return (size - 1) / k_granule; }
  static constexpr std::size_t block_size(std::size_t size) { return (class_of(size) + 1) * k_granule; }

  // A cached block for a small `size`, or null.
  void* take(std::size_t size) {
    const std::size_t c = class_of(size);
    Block* b = m_head[c];
    if (b == nullptr) return nullptr;
    m_head[c] = b->next;
    --m_count[c];
    return b;
  }

  // Keeps `p`, a block malloc gave for block_size(size), for reuse; false when its class is full
  // or the cache is closed (the caller frees it).
  bool keep(void* p, std::size_t size) {
    const std::size_t c = class_of(size);
    if (m_closed || m_count[c] >= k_max_cached) return false;
    Block* b = static_cast<Block*>(p);
    b->next = m_head[c];
    m_head[c] = b;
    ++m_count[c];
    return true;
  }

  // Frees every cached block; a closed cache keeps nothing more.
  void release_all(bool close) {
    m_closed = m_closed || close;
    for (std::size_t c = 0; c < k_classes; ++c) {
      while (Block* b = m_head[c]) {
        m_head[c] = b->next;
        std::free(b);
      }
      m_count[c] = 0;
    }
  }

  std::size_t cached() const {
    std::size_t n = 0;
    for (unsigned count : m_count) n += count;
    return n;
  }

 private:
  struct Block {
    Block* next;
  };
  // Zero-initialized as a thread_local, and trivially destructible: usable while the thread's
  // other thread_locals are destroyed.
  Block* m_head[k_classes];
  unsigned m_count[k_classes];
  bool m_closed;
};

}  // namespace mcp_probe::refserver
