// Checks of caller-supplied values that cannot be fooled: typed arrays are measured with the
// engine's own %TypedArray% getters (a subclass may override `length` or `byteLength`), and
// error messages describe a value without calling any of its code (no toString, no getters).

const TypedArrayProto = Object.getPrototypeOf(Uint8Array.prototype);
const tagOf = Object.getOwnPropertyDescriptor(TypedArrayProto, Symbol.toStringTag).get;
const lengthOf = Object.getOwnPropertyDescriptor(TypedArrayProto, 'length').get;
const typedSet = TypedArrayProto.set;
const bufferOf = Object.getOwnPropertyDescriptor(TypedArrayProto, 'buffer').get;
const offsetOf = Object.getOwnPropertyDescriptor(TypedArrayProto, 'byteOffset').get;
const byteLengthOf = Object.getOwnPropertyDescriptor(TypedArrayProto, 'byteLength').get;

// A typed array's true element count (throws for anything else).
export const trueLength = (x) => lengthOf.call(x);
// A view of typed array x's memory as `Type`, with x's true offset and element count.
export const trueView = (x, Type) => new Type(bufferOf.call(x), offsetOf.call(x), lengthOf.call(x));
// The bytes of typed array x, with its true offset and byte length.
export const trueBytes = (x) => new Uint8Array(bufferOf.call(x), offsetOf.call(x), byteLengthOf.call(x));

// The element count of a Uint8Array/Uint8ClampedArray (0 once its buffer is detached), or -1
// for anything else.
export function bytesOf(data) {
  const tag = ArrayBuffer.isView(data) ? tagOf.call(data) : undefined;
  return tag === 'Uint8Array' || tag === 'Uint8ClampedArray' ? lengthOf.call(data) : -1;
}

// The element count of any typed array, or -1.
export function typedLength(data) {
  return ArrayBuffer.isView(data) && tagOf.call(data) !== undefined ? lengthOf.call(data) : -1;
}

// target.set(source) with the built-in method, whatever the target's class overrides.
export function copyInto(target, source) {
  typedSet.call(target, source);
}

// A short, safe description of any value for an error message.
export function describe(v) {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(v);
    case 'bigint':
      return `${v}n`;
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    default:
      return v === null ? 'null' : ArrayBuffer.isView(v) ? `a ${tagOf.call(v) ?? 'DataView'}` : Array.isArray(v) ? 'an array' : 'an object';
  }
}

// A number that must be an integer in [min, max]; RangeError/TypeError naming `what` and the value.
export function intIn(v, min, max, what) {
  if (typeof v !== 'number') throw new TypeError(`${what} must be an integer ${min}..${max}, got ${describe(v)}`);
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${what} must be an integer ${min}..${max}, got ${describe(v)}`);
  return v;
}

// A number for the core's float32 fields. NaN, ±Infinity and 0 pass through (the core names
// them); a finite value that float32 cannot hold (1e39 -> Infinity) is refused here, naming the
// value given rather than the value it would have become; so is a divisor that would become 0.
export function float32(v, what, { divisor = false } = {}) {
  if (typeof v !== 'number') throw new TypeError(`${what} must be a number, got ${describe(v)}`);
  const f = Math.fround(v);
  if (Number.isFinite(v) && !Number.isFinite(f)) throw new RangeError(`${what} must be within float32 range (±3.4e38), got ${describe(v)}`);
  if (divisor && v !== 0 && f === 0) throw new RangeError(`${what} is too close to 0 for float32 (below 1.4e-45), got ${describe(v)}`);
  return v;
}

// 1073741824 -> "1 GiB", 3221225 -> "3.1 MiB".
export function formatBytes(n) {
  if (n >= 2 ** 30) return `${+(n / 2 ** 30).toFixed(3)} GiB`;
  if (n >= 2 ** 20) return `${+(n / 2 ** 20).toFixed(1)} MiB`;
  return `${n} bytes`;
}

// One of a fixed list of strings.
export function oneOf(v, list, what) {
  if (typeof v !== 'string') throw new TypeError(`${what} must be one of ${list.join(', ')}, got ${describe(v)}`);
  if (!list.includes(v)) throw new RangeError(`${what} must be one of ${list.join(', ')}, got ${describe(v)}`);
  return v;
}
