// mcp-refserver's operator new and delete: small blocks through a per-thread SmallBlockCache
// (small_blocks.h says why), the rest straight to malloc. Linked into the mcp-refserver executable
// only, so its HTTP module and everything else in the process use it; not in sanitizer builds,
// where reusing blocks would hide a use after free from AddressSanitizer.
#include "refserver/small_blocks.h"

#include <new>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MCP_REFSERVER_SMALL_BLOCKS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define MCP_REFSERVER_SMALL_BLOCKS 0
#endif
#endif
#ifndef MCP_REFSERVER_SMALL_BLOCKS
#define MCP_REFSERVER_SMALL_BLOCKS 1
#endif

#if MCP_REFSERVER_SMALL_BLOCKS

namespace {

using mcp_probe::refserver::SmallBlockCache;

thread_local SmallBlockCache t_cache;  // zero-initialized: no guard on access
thread_local bool t_registered;

// Gives the thread's blocks back to malloc when the thread ends, and closes its cache: delete
// may still run later in the thread's teardown.
struct ReleaseAtExit {
  ~ReleaseAtExit() { t_cache.release_all(true); }
};

void register_release() {
  t_registered = true;
  static thread_local ReleaseAtExit release;
  (void)release;
}

void* allocate(std::size_t size) {
  for (;;) {
    if (void* p = std::malloc(size)) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

}  // namespace

void* operator new(std::size_t size) {
  if (!SmallBlockCache::small(size)) return allocate(size == 0 ? 1 : size);
  if (void* p = t_cache.take(size)) return p;
  return allocate(SmallBlockCache::block_size(size));
}

// Sized delete is what the standard library's containers and strings call; an unsized delete
// (or a delete[]) frees the block, which is a malloc block either way.
void operator delete(void* p, std::size_t size) noexcept {
  if (p != nullptr && SmallBlockCache::small(size)) {
    if (!t_registered) register_release();
    if (t_cache.keep(p, size)) return;
  }
  std::free(p);
}

void operator delete(void* p) noexcept { std::free(p); }

#endif
