// The JS side of the error boundary: the loader (instantiate in load.js) wraps every Embind class
// (constructor, methods, static functions) and free function of every module it instantiates,
// once, so that
//  - after a native call throws, the wasm shadow stack is reset: a C++ error reaches JS as a JS
//    exception thrown from inside wasm, which skips the epilogues of the frames it unwinds, and
//    without the reset every error leaked 32 bytes of the 1 MiB stack (docs/toolchain.md);
//  - whatever escapes is a real Error with a message: Embind's BindingError/InternalError (a
//    wrong argument type the JS layer did not catch first) becomes a TypeError, a stray C++
//    exception (a number or a WebAssembly.Exception) an Error.
// Only errors pay for this; a successful call costs one extra JS call. A threaded module's heap
// views are brought up to date after each call (m.syncHeapViews, which the loader sets on threaded
// modules only): memory grows only inside calls, and a pool thread that grows it does not update
// this thread's views. Single-thread modules have no m.syncHeapViews and sync nothing.

function asError(e) {
  if (e instanceof Error && e.name !== 'BindingError' && e.name !== 'InternalError') return e;
  if (e instanceof Error) return new TypeError(`convolens: ${e.message}`);
  return new Error('convolens: internal error (a C++ exception escaped the bindings)');
}

function guardFunction(fn, resetStack, sync) {
  return function guardedNativeCall(...args) {
    try {
      return fn.apply(this, args);
    } catch (e) {
      resetStack();
      throw asError(e);
    } finally {
      sync?.();
    }
  };
}

const CLASS_HANDLE_METHODS = new Set(['constructor', 'clone', 'delete', 'isDeleted', 'deleteLater', 'isAliasOf']);

function isEmbindClass(v) {
  return typeof v === 'function' && typeof v.prototype?.isDeleted === 'function';
}

// Returns the module, its classes and functions wrapped in place. Called once per module, by the
// loader: a second call would wrap the wrappers.
export function guardModule(m) {
  const reset = m.resetStack;
  const sync = m.syncHeapViews;
  for (const key of Object.keys(m)) {
    const v = m[key];
    if (isEmbindClass(v)) {
      const proto = v.prototype;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const d = Object.getOwnPropertyDescriptor(proto, name);
        if (!CLASS_HANDLE_METHODS.has(name) && typeof d.value === 'function') proto[name] = guardFunction(d.value, reset, sync);
      }
      for (const name of Object.getOwnPropertyNames(v)) {
        const d = Object.getOwnPropertyDescriptor(v, name);
        if (name !== 'prototype' && typeof d.value === 'function' && d.writable) v[name] = guardFunction(d.value, reset, sync);
      }
      m[key] = new Proxy(v, {
        construct(target, args) {
          try {
            return Reflect.construct(target, args);
          } catch (e) {
            reset();
            throw asError(e);
          } finally {
            sync?.();
          }
        },
      });
    } else if (typeof v === 'function' && typeof v.argCount === 'number' && key !== 'resetStack') {
      m[key] = guardFunction(v, reset, sync);
    }
  }
  return m;
}
