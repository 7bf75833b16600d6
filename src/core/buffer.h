// Aligned, counted heap buffer. Every large allocation of the core goes through it so the
// JS side can check that memory returns to baseline (memory_stats()).
#pragma once
#include <cstddef>
#include <cstdint>
#include <utility>

namespace convolens {

struct MemoryStats {
  std::size_t live_bytes;
  std::size_t live_buffers;
};
MemoryStats memory_stats();

class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(std::size_t bytes) { resize(bytes); }
  ~Buffer() { release(); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  Buffer(Buffer&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)),
        size_(std::exchange(o.size_, 0)),
        capacity_(std::exchange(o.capacity_, 0)) {}
  Buffer& operator=(Buffer&& o) noexcept {
    if (this != &o) {
      release();
      data_ = std::exchange(o.data_, nullptr);
      size_ = std::exchange(o.size_, 0);
      capacity_ = std::exchange(o.capacity_, 0);
    }
    return *this;
  }

  // Keeps the allocation when it is already large enough: per-frame calls do not allocate.
  // Strong guarantee: the new block is allocated before the old one is freed, so a failed
  // allocation (std::bad_alloc) leaves data(), size() and capacity() exactly as they were.
  void resize(std::size_t bytes);
  void release();

  std::uint8_t* data() { return data_; }
  const std::uint8_t* data() const { return data_; }
  template <class T> T* as() { return reinterpret_cast<T*>(data_); }
  template <class T> const T* as() const { return reinterpret_cast<const T*>(data_); }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }

 private:
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;  // bytes requested
  std::size_t capacity_ = 0;
};

}  // namespace convolens
