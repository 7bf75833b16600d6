// Linked into the threaded (simd-mt) modules only: two repairs to Emscripten 3.1.6's pthread
// runtime, both described in docs/toolchain.md ("pthreads").
#include <emscripten/html5.h>
#include <emscripten/html5_webgl.h>

#include <cstdint>

extern "C" {

// 1. Its main-thread call queue refers to two canvas/WebGL functions, which pull the whole
// WebGL and canvas JavaScript library (about 10 KB) into the glue; convolens never proxies such
// calls, so defining them here keeps that library out.
EMSCRIPTEN_WEBGL_CONTEXT_HANDLE emscripten_webgl_create_context(const char*, const EmscriptenWebGLContextAttributes*) {
  return 0;
}
EMSCRIPTEN_RESULT emscripten_set_canvas_element_size(const char*, int, int) { return EMSCRIPTEN_RESULT_NOT_SUPPORTED; }

// 2. With -fwasm-exceptions, clang 14's landing pads address __wasm_lpad_context as an ordinary
// global, but the prebuilt libunwind defines it thread_local: with -pthread the two disagree and
// no C++ catch ever matches (every exception reaches JS as a WebAssembly.Exception). This is
// libunwind's Unwind-wasm.c with an ordinary global, which both sides then agree on. The one
// context is shared by all threads; convolens throws on pool threads only when memory runs out.
struct _Unwind_Exception {
  std::uint64_t exception_class;
  void (*exception_cleanup)(int, _Unwind_Exception*);
};
struct _Unwind_LandingPadContext {
  std::uintptr_t lpad_index, lsda, selector;
};
_Unwind_LandingPadContext __wasm_lpad_context;
int __gxx_personality_wasm0(int, int, std::uint64_t, _Unwind_Exception*, void*);

int _Unwind_CallPersonality(void* p) {
  auto* e = static_cast<_Unwind_Exception*>(p);
  __wasm_lpad_context.selector = 0;
  return __gxx_personality_wasm0(1, /*_UA_CLEANUP_PHASE*/ 2, e->exception_class, e, &__wasm_lpad_context);
}
int _Unwind_RaiseException(_Unwind_Exception* e) { __builtin_wasm_throw(0, e); }
void _Unwind_DeleteException(_Unwind_Exception* e) {
  if (e->exception_cleanup) e->exception_cleanup(/*_URC_FOREIGN_EXCEPTION_CAUGHT*/ 1, e);
}
void _Unwind_SetGR(void* c, int i, std::uintptr_t v) {
  if (i == 1) static_cast<_Unwind_LandingPadContext*>(c)->selector = v;
}
std::uintptr_t _Unwind_GetIP(void* c) { return static_cast<_Unwind_LandingPadContext*>(c)->lpad_index + 2; }
void _Unwind_SetIP(void*, std::uintptr_t) {}
std::uintptr_t _Unwind_GetLanguageSpecificData(void* c) { return static_cast<_Unwind_LandingPadContext*>(c)->lsda; }
std::uintptr_t _Unwind_GetRegionStart(void*) { return 0; }

}  // extern "C"
