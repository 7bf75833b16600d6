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
  /**
   * Folder (URL) holding the wasm modules, for CDNs and bundlers: convolens-{simd,plain}.{mjs,wasm}
   * (filters, loaded by load()) and convolens-nn-{simd,plain}.{mjs,wasm} (CNN, loaded on first use).
   */
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
  /** Filters one frame. Without `output` (undefined or null), returns a view of wasm memory valid until the next call. */
  apply(input: PixelSource, output?: Pixels | null): Uint8ClampedArray;
  setOptions(options: FilterOptions): void;
  dispose(): void;
}

export interface Pipeline {
  apply(input: PixelSource, output?: Pixels | null): Uint8ClampedArray;
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

/** A model in memory: model.json (parsed or text) and its weight shards in manifest order. */
export interface ModelSource {
  modelJson: object | string;
  weights: ArrayBuffer | ArrayBuffer[];
}
/** What `tf.io.withSaveHandler` hands over when a TF.js model is saved. */
export interface ModelArtifacts {
  modelTopology: object;
  weightSpecs: object[];
  weightData: ArrayBuffer;
}

export interface Model {
  /** Per image, without the batch dimension, e.g. [28, 28, 1]. */
  readonly inputShape: number[];
  readonly outputShape: number[];
  /** One image (pixels are scaled to 0..1; gray when the model has 1 channel) or a batch. */
  predict(input: Pixels | Float32Array | Array<Pixels | Float32Array>, options?: { reference?: boolean }): Float32Array;
  summary(): LayerSummary[];
  /** Every layer's output for one image (copies), for feature-map views. */
  activations(input: Pixels | Float32Array): Activation[];
  /** The layer's kernel as stored in the file (HWIO for convolutions), or null without weights. */
  weights(layerName: string): { shape: number[]; data: Float32Array } | null;
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
  /** The first call also fetches the CNN wasm module (same variant and paths as load()). */
  loadModel(source: string | URL | ModelSource | ModelArtifacts | File[] | FileList): Promise<Model>;
  /** `url` undefined or null: the shipped MNIST model. */
  loadDigitClassifier(url?: string | URL | null): Promise<DigitClassifier>;
  /** Loads the shipped classifier on first use and keeps it (see releaseDigitClassifier). */
  classifyDrawing(drawing: PixelSource): Promise<DigitResult>;
  /** Frees the classifier classifyDrawing() keeps (model and drawing buffers); the next call loads it again. */
  releaseDigitClassifier(): Promise<void>;
  memory(): MemoryStats;
}

/** Loads (once) and returns convolens; the SIMD binary where the engine supports it. */
export function load(options?: LoadOptions): Promise<Convolens>;
/** Whether this JavaScript engine runs the SIMD binaries (wasm SIMD and wasm exception handling). */
export function hasSimd(): boolean;
