// Module-wide facts: which instruction set was compiled in, and live memory for leak tests.
#include <emscripten/bind.h>
#include <emscripten/heap.h>
#include <emscripten/stack.h>
#include <emscripten/val.h>

#include <cstdint>

#include "core/buffer.h"
#include "simd/simd.h"
#ifdef __EMSCRIPTEN_PTHREADS__
#include "core/thread_pool.h"
#endif

using namespace emscripten;

namespace {

val memory_stats_js() {
  const auto s = convolens::memory_stats();
  val o = val::object();
  o.set("liveBytes", double(s.live_bytes));
  o.set("liveBuffers", double(s.live_buffers));
  return o;
}

// A C++ error reaches JS as a JS exception thrown from inside wasm (js_errors.h); it unwinds the
// wasm frames without their epilogues, so the shadow-stack pointer is not popped (32 bytes per
// error; ~32,000 errors overflow the 1 MiB stack into static data). The JS wrapper around every
// native call (web/lib/guard.js) calls resetStack() after an error. It is only called with no
// wasm frame on the JS call stack, where the stack is empty: the pointer goes back to the base.
// stackRestore is emscripten's own (compiler-rt); these functions keep no frame of their own.

}  // namespace

extern "C" void stackRestore(std::uintptr_t sp);
extern "C" unsigned char __heap_base;  // wasm-ld: where the heap starts, after static data and stack

EMSCRIPTEN_BINDINGS(convolens_module) {
#ifdef __EMSCRIPTEN_PTHREADS__
  function("backend", +[]() { return std::string(convolens::simd::backend_name()) + "-threads"; });
  // Threads taking part (the caller + pool threads). The loader calls setThreads right after
  // instantiation, with the pool size it asked for, and keeps the count itself; modules without
  // threads lack it (the loader counts them as one thread).
  function("setThreads", +[](int n) { convolens::set_threads(n); });
  // Where the heap's end (the sbrk pointer) sits in memory. A pool thread that grows memory
  // leaves the caller's views short; everything allocated lies below the heap's end, so the
  // loader compares it with its views' length after each call (web/lib/load.js).
  function("heapEndAddress", +[]() { return double(reinterpret_cast<std::uintptr_t>(emscripten_get_sbrk_ptr())); });
#else
  function("backend", +[]() { return std::string(convolens::simd::backend_name()); });
#endif
  function("memoryStats", &memory_stats_js);
  // The most the heap can ever hold (maximum memory minus static data and stack): JS refuses a
  // frame larger than this before allocating.
  function("heapLimit", +[]() { return double(emscripten_get_heap_max() - reinterpret_cast<std::uintptr_t>(&__heap_base)); });
  function("resetStack", +[]() { stackRestore(emscripten_stack_get_base()); });
  // Bytes of shadow stack in use as seen from a bound call (0 when nothing leaked): for tests.
  function("stackInUse", +[]() { return double(emscripten_stack_get_base() - emscripten_stack_get_current()); });
}
