// SmallBlockCache (src/refserver/small_blocks.h), the per-thread cache under mcp-refserver's
// operator new and delete: size classes, reuse within a class only, the bound, the release.
#include <doctest/doctest.h>

#include <cstdlib>
#include <vector>

#include "refserver/small_blocks.h"

TEST_SUITE_BEGIN("unit");

using mcp_probe::refserver::SmallBlockCache;

TEST_CASE("refserver::SmallBlockCache") {
  SUBCASE("size classes of 16 bytes up to 256") {
    CHECK_FALSE(SmallBlockCache::small(0));  // operator new(0) goes to malloc
    CHECK(SmallBlockCache::small(1));
    CHECK(SmallBlockCache::small(256));
    CHECK_FALSE(SmallBlockCache::small(257));
    CHECK(SmallBlockCache::block_size(1) == 16);
    CHECK(SmallBlockCache::block_size(16) == 16);
    CHECK(SmallBlockCache::block_size(17) == 32);
    CHECK(SmallBlockCache::block_size(256) == 256);
  }
  SUBCASE("a kept block is taken again for a size of its class only") {
    SmallBlockCache cache{};
    CHECK(cache.take(40) == nullptr);
    void* block = std::malloc(SmallBlockCache::block_size(40));
    REQUIRE(cache.keep(block, 40));
    CHECK(cache.take(24) == nullptr);  // 32 bytes: another class
    CHECK(cache.take(64) == nullptr);
    CHECK(cache.take(33) == block);    // 48 bytes, as 40
    CHECK(cache.take(40) == nullptr);  // taken once
    std::free(block);
  }
  SUBCASE("at most k_max_cached blocks per class, every one released") {
    SmallBlockCache cache{};
    std::vector<void*> blocks;
    for (unsigned i = 0; i <= SmallBlockCache::k_max_cached; ++i) blocks.push_back(std::malloc(16));
    for (unsigned i = 0; i < SmallBlockCache::k_max_cached; ++i) CHECK(cache.keep(blocks[i], 8));
    CHECK_FALSE(cache.keep(blocks.back(), 8));  // full: the caller frees it
    std::free(blocks.back());
    void* other = std::malloc(256);
    CHECK(cache.keep(other, 256));  // another class has room
    CHECK(cache.cached() == SmallBlockCache::k_max_cached + 1);
    cache.release_all(false);  // frees them (LeakSanitizer sees any it does not)
    CHECK(cache.cached() == 0);
    CHECK(cache.take(8) == nullptr);
  }
  SUBCASE("a closed cache keeps nothing") {
    SmallBlockCache cache{};
    cache.release_all(true);
    void* block = std::malloc(16);
    CHECK_FALSE(cache.keep(block, 16));
    std::free(block);
  }
}
