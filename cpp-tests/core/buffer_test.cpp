#include "core/buffer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <new>
#include <utility>

namespace convolens {
namespace {

TEST(Buffer, CountsLiveBytesAndReusesCapacity) {
  const MemoryStats base = memory_stats();
  {
    Buffer b(1000);
    const MemoryStats one = memory_stats();
    EXPECT_EQ(one.live_buffers, base.live_buffers + 1);
    EXPECT_GE(one.live_bytes, base.live_bytes + 1000);
    std::uint8_t* p = b.data();
    b.resize(10);  // shrinking keeps the allocation: per-frame calls never allocate
    b.resize(1000);
    EXPECT_EQ(b.data(), p);
    EXPECT_EQ(memory_stats().live_bytes, one.live_bytes);
  }
  EXPECT_EQ(memory_stats().live_bytes, base.live_bytes);
  EXPECT_EQ(memory_stats().live_buffers, base.live_buffers);
}

TEST(Buffer, MovesTransferOwnershipAndCapacity) {
  const MemoryStats base = memory_stats();
  {
    Buffer a(4096);
    std::uint8_t* p = a.data();
    Buffer b(std::move(a));
    EXPECT_EQ(a.data(), nullptr);
    EXPECT_EQ(b.data(), p);
    b.resize(4096);  // still within the moved capacity: no reallocation
    EXPECT_EQ(b.data(), p);
    Buffer c(16);
    c = std::move(b);
    EXPECT_EQ(c.data(), p);
    c.resize(2000);
    EXPECT_EQ(c.data(), p);
    EXPECT_EQ(memory_stats().live_buffers, base.live_buffers + 1);
  }
  EXPECT_EQ(memory_stats().live_bytes, base.live_bytes);
  EXPECT_EQ(memory_stats().live_buffers, base.live_buffers);
}

TEST(Buffer, ResizeTogetherGrowsBothOrNeither) {
  const MemoryStats base = memory_stats();
  {
    Buffer a, b;
    resize_together(a, 100, b, 200);
    ASSERT_NE(a.data(), nullptr);
    ASSERT_NE(b.data(), nullptr);
    EXPECT_EQ(a.size(), 100u);
    EXPECT_EQ(b.size(), 200u);
    std::uint8_t *pa = a.data(), *pb = b.data();
    resize_together(a, 50, b, 150);  // within capacity: no allocation
    EXPECT_EQ(a.data(), pa);
    EXPECT_EQ(b.data(), pb);
    EXPECT_EQ(a.size(), 50u);
    // The second buffer cannot grow: the first keeps its old block and size too.
    EXPECT_THROW(resize_together(a, 4000, b, SIZE_MAX - 8), std::bad_alloc);
    EXPECT_EQ(a.data(), pa);
    EXPECT_EQ(a.size(), 50u);
    EXPECT_EQ(b.data(), pb);
    EXPECT_EQ(b.size(), 150u);
    EXPECT_EQ(heap_address(a), reinterpret_cast<std::uintptr_t>(pa));
    EXPECT_EQ(memory_stats().live_buffers, base.live_buffers + 2);
  }
  EXPECT_EQ(memory_stats().live_bytes, base.live_bytes);
  EXPECT_EQ(memory_stats().live_buffers, base.live_buffers);
}

}  // namespace
}  // namespace convolens
