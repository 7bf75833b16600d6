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

// The heap frames of an object that JS fills and reads (a filter's input and output, a model's
// batch, a drawing and its scratch) are resized together: every buffer that must grow is
// allocated before any is replaced, so a failure (std::bad_alloc) leaves all of them exactly as
// they were, still valid for the old size. (A half-resized object once handed JS a null input
// pointer, and JS wrote a frame over the module's static data at address 0.)
void resize_together(Buffer& a, std::size_t a_bytes, Buffer& b, std::size_t b_bytes);

// A buffer's address as JS sees it: a byte offset into the wasm heap (HEAPU8).
inline std::uintptr_t heap_address(const Buffer& b) { return reinterpret_cast<std::uintptr_t>(b.data()); }

}  // namespace convolens
