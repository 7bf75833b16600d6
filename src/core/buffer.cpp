#include "core/buffer.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace convolens {
namespace {
// Atomic: pool threads size their own scratch buffers (in builds without threads these are
// plain loads and stores).
std::atomic<std::size_t> g_live_bytes{0};
std::atomic<std::size_t> g_live_buffers{0};
constexpr std::size_t kAlign = 64;  // a cache line; also keeps v128 loads aligned
}  // namespace

MemoryStats memory_stats() { return {g_live_bytes, g_live_buffers}; }

void Buffer::resize(std::size_t bytes) {
  if (bytes <= capacity_) {
    size_ = bytes;
    return;
  }
  // 16 bytes of slack past the end let SIMD tails load a full vector without reading
  // outside the allocation (the extra lanes are never stored).
  if (bytes > SIZE_MAX - 16 - kAlign) throw std::bad_alloc();
  const std::size_t cap = (bytes + 16 + kAlign - 1) / kAlign * kAlign;
  void* p = std::aligned_alloc(kAlign, cap);
  if (!p) throw std::bad_alloc();
  release();  // only now: a failed allocation must leave the old block in place
  data_ = static_cast<std::uint8_t*>(p);
  size_ = bytes;
  capacity_ = bytes;
  g_live_bytes += cap;
  ++g_live_buffers;
}

void resize_together(Buffer& a, std::size_t a_bytes, Buffer& b, std::size_t b_bytes) {
  Buffer new_a, new_b;
  if (a_bytes > a.capacity()) new_a.resize(a_bytes);
  if (b_bytes > b.capacity()) new_b.resize(b_bytes);
  if (new_a.data()) a = std::move(new_a);
  if (new_b.data()) b = std::move(new_b);
  a.resize(a_bytes);  // within capacity now: cannot fail
  b.resize(b_bytes);
}

void Buffer::release() {
  if (!data_) return;
  const std::size_t cap = (capacity_ + 16 + kAlign - 1) / kAlign * kAlign;
  std::free(data_);
  g_live_bytes -= cap;
  --g_live_buffers;
  data_ = nullptr;
  size_ = capacity_ = 0;
}

}  // namespace convolens
