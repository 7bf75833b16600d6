// Per-thread scratch that a function keeps between calls (grows, never shrinks).
#pragma once

// Native training runs chunks on several threads: thread_local there and in -pthread wasm. A wasm
// module without atomics runs one thread, so a plain static is the same storage; it is also the
// only choice there, as those modules are built with bulk memory, and wasm-ld rejects
// thread-local storage with bulk memory but no atomics (docs/toolchain.md, "Bulk memory").
#if defined(__wasm__) && !defined(__wasm_atomics__)
#define CONVOLENS_PER_THREAD static
#else
#define CONVOLENS_PER_THREAD thread_local
#endif
