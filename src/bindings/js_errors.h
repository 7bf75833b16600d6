// The one place C++ exceptions become JS errors: every bound entry point that can throw runs
// inside js_guard, so JS sees a RangeError/TypeError/Error with the core's message instead of
// a bare exception pointer, and the module stays usable.
#pragma once
#include <emscripten/val.h>

#include <exception>
#include <new>
#include <string>

#include "core/errors.h"

namespace convolens::bindings {

[[noreturn]] inline void throw_js(const char* ctor, const std::string& message) {
  emscripten::val::global(ctor).new_(message).throw_();
  __builtin_unreachable();
}

// Called from a catch block: rethrows the exception in flight as the matching JS error. Out of
// line and shared, so each guarded entry point carries one catch-all, not four typed handlers.
[[noreturn]] __attribute__((noinline)) inline void rethrow_as_js() {
  try {
    throw;
  } catch (const RangeError& e) {
    throw_js("RangeError", e.what());
  } catch (const TypeError& e) {
    throw_js("TypeError", e.what());
  } catch (const std::bad_alloc&) {
    throw_js("RangeError", "out of memory");
  } catch (const std::exception& e) {
    throw_js("Error", e.what());
  }
}

template <class F>
auto js_guard(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (...) {
    rethrow_as_js();
  }
}

}  // namespace convolens::bindings
