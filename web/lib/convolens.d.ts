// Type declarations for convolens (web/lib/convolens.js).

/** RGBA pixels: ImageData or anything shaped like it. */
export interface Pixels {
  data: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}
/** What filters and models accept: pixels, or something that can be drawn on a canvas. */
export type PixelSource =
  | Pixels
  | ImageData
  | HTMLVideoElement
  | HTMLImageElement
  | HTMLCanvasElement
  | OffscreenCanvas
  | ImageBitmap
  | VideoFrame;

export type Border = 'constant' | 'replicate' | 'reflect101' | 'wrap';
export type Mode = 'rgb' | 'gray';

export interface LoadOptions {
  /** true: require the SIMD binary; false: force the plain one; undefined: pick by feature detection. */
  simd?: boolean;
  /** Folder (URL) holding convolens-{simd,plain}.{mjs,wasm}, for CDNs and bundlers. */
  wasmPaths?: string;
  /** Full control: maps a file name to its URL. */
  locateFile?: (file: string) => string;
}

export interface KernelInfo {
  width: number;
  height: number;
  weights: Float32Array;
  scale: number;
  offset: number;
  op?: string;
}

export interface KernelSpec {
  kernel: ArrayLike<number>;
  width: number;
  height: number;
  scale?: number;
  offset?: number;
  border?: Border;
  borderValue?: number;
  mode?: Mode;
}

export interface FilterOptions {
  border?: Border;
  borderValue?: number;
  mode?: Mode;
}

export interface PresetParams extends FilterOptions {
  size?: number;
  sigma?: number;
  [name: string]: unknown;
}

export interface Preset {
  name: string;
  label: string;
  description: string;
  kernel?: { width: number; height: number; weights: number[]; scale: number; offset: number };
  params?: Record<string, number>;
}

export interface Filter {
  readonly name: string;
  readonly kernel: KernelInfo;
  /** Filters one frame. Without `output`, returns a view of wasm memory valid until the next call. */
  apply(input: PixelSource, output?: Pixels): Uint8ClampedArray;
  setOptions(options: FilterOptions): void;
  dispose(): void;
}

export interface Pipeline {
  apply(input: PixelSource, output?: Pixels): Uint8ClampedArray;
  dispose(): void;
}

export interface LayerSummary {
  name: string;
  className: string;
  outputShape: number[];
  params: number;
}

export interface Activation {
  name: string;
  className: string;
  shape: number[];
  data: Float32Array;
}

export interface ModelSource {
  modelJson: object | string;
  weights: ArrayBuffer[];
}

export interface Model {
  readonly inputShape: number[];
  predict(input: PixelSource | Float32Array | Float32Array[]): Float32Array;
  summary(): LayerSummary[];
  activations(input: PixelSource | Float32Array): Activation[];
  weights(layerName: string): { shape: number[]; data: Float32Array };
  dispose(): void;
}

/** How the ink was told apart from the background. */
export type InkPolarity = 'dark-on-light' | 'light-on-dark' | 'alpha';
interface DigitInput {
  /** The 28×28 image the network sees (white on black, 0..1), row-major. */
  input28: Float32Array;
  polarity: InkPolarity;
  /** Bounding box of the ink on the drawing. */
  box: { x: number; y: number; width: number; height: number };
}
export type DigitResult =
  | (DigitInput & { empty: true })
  | (DigitInput & { empty?: false; digit: number; probabilities: Float32Array; confidence: number });

export interface DigitClassifier {
  readonly model: Model;
  classify(drawing: PixelSource): DigitResult;
  dispose(): void;
}

export interface MemoryStats {
  /** Bytes held by live convolens buffers on the wasm heap. */
  liveBytes: number;
  liveBuffers: number;
  /** JS objects owning wasm memory that have not been disposed. */
  liveObjects: number;
  /** Total size of the wasm heap. */
  heapBytes: number;
}

export interface Convolens {
  /** 'simd' or 'plain': which binary loaded. */
  readonly variant: 'simd' | 'plain';
  /** What the binary was compiled for: 'wasm-simd128' or 'wasm-plain'. */
  readonly backend: string;
  readonly presets: Preset[];
  createFilter(preset: string, params?: PresetParams): Filter;
  createFilter(spec: KernelSpec): Filter;
  createPipeline(steps: Array<Filter | string | KernelSpec>): Pipeline;
  loadModel(source: string | URL | ModelSource | File[] | FileList): Promise<Model>;
  loadDigitClassifier(url?: string | URL): Promise<DigitClassifier>;
  classifyDrawing(drawing: PixelSource): Promise<DigitResult>;
  memory(): MemoryStats;
}

/** Loads (once) and returns convolens; the SIMD binary where the engine supports it. */
export function load(options?: LoadOptions): Promise<Convolens>;
/** Whether this JavaScript engine validates WebAssembly SIMD. */
export function hasSimd(): boolean;
