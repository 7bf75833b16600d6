// Module-wide facts: which instruction set was compiled in, and live memory for leak tests.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include "core/buffer.h"
#include "simd/simd.h"

using namespace emscripten;

namespace {

val memory_stats_js() {
  const auto s = convolens::memory_stats();
  val o = val::object();
  o.set("liveBytes", double(s.live_bytes));
  o.set("liveBuffers", double(s.live_buffers));
  return o;
}

}  // namespace

EMSCRIPTEN_BINDINGS(convolens_module) {
  function("backend", +[]() { return std::string(convolens::simd::backend_name()); });
  function("memoryStats", &memory_stats_js);
}
