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


/** One layer of a trainable net (28x28x1 input; 'valid' convolutions, 2x2 max-pools; the last layer is Dense 10). */
export type TrainLayer =
  | { type: 'conv2d'; filters: number; kernel: number; bias?: boolean }
  | { type: 'batchNorm' }
  | { type: 'relu' }
  | { type: 'maxPool' }
  | { type: 'globalAveragePool' }
  | { type: 'flatten' }
  | { type: 'dense'; units: number };
/** 'tiny' (one conv layer), 'convnetjs' (ConvNetJS's MNIST demo net), 'mnist' (the shipped net). */
export type TrainPreset = 'tiny' | 'convnetjs' | 'mnist';
export type TrainSpec = TrainPreset | TrainLayer[] | { layers: TrainLayer[]; seed?: number };

/** n images of 28x28 u8 pixels (0..255, white ink on black, as MNIST) and their labels 0..9. */
export interface DigitData {
  images: Uint8Array;
  labels: Uint8Array;
  count?: number;
}
export interface Mnist {
  train: Required<DigitData>;
  test: Required<DigitData>;
}
export interface LoadMnistOptions {
  /** Training images, 0..60,000 (default 10,000): fetched in gzip'ed chunks of 10,000. */
  train?: number;
  /** Test images, 0..10,000 (default 10,000). */
  test?: number;
  /** Folder holding mnist-*.u8.gz (default: web/data/ next to the library). */
  url?: string;
  onProgress?: (p: { loaded: number; total: number }) => void;
}

export interface TrainProgress {
  step: number;
  totalSteps: number;
  /** 1-based. */
  epoch: number;
  epochs: number;
  /** Mean loss and train accuracy of the steps since the previous report. */
  loss: number;
  accuracy: number;
  imagesPerSecond: number;
  secondsLeft: number;
  done: boolean;
}
export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  /** Peak of the one-cycle schedule (Adam), default 0.005. */
  learningRate?: number;
  augment?: boolean;
  seed?: number;
  onProgress?: (p: TrainProgress) => void;
  /** Aborting rejects fit() with an AbortError between two chunks. */
  signal?: AbortSignal;
  /** Target duration of one chunk of steps (default 100 ms). */
  chunkMs?: number;
}
export interface Evaluation {
  accuracy: number;
  /** [true digit][predicted digit] counts. */
  confusion: number[][];
  predictions: Uint8Array;
  /** Indices of the misclassified images. */
  wrong: number[];
}
/** TF.js Layers artifacts (tf.io.fromMemory / cl.loadModel); json + weightData are model.json and weights.bin. */
export interface TrainedArtifacts extends ModelArtifacts {
  format: string;
  generatedBy: string;
  json: string;
}
export interface Trainer {
  readonly parameters: number;
  readonly paused: boolean;
  fit(data: DigitData, options?: FitOptions): Promise<TrainProgress>;
  pause(): void;
  resume(): void;
  evaluate(data: DigitData): Evaluation;
  save(): TrainedArtifacts;
  /** The current weights as a Model on the CNN engine (predict, activations, digit classifier). */
  model(): Promise<Model>;
  firstKernel(): { shape: number[]; data: Float32Array } | null;
  dispose(): void;
}
export const TRAIN_PRESETS: Record<TrainPreset, TrainLayer[]>;
export function loadMnist(options?: LoadMnistOptions): Promise<Mnist>;

/** Training in a Web Worker (the page's main thread never trains). */
export interface TrainWorker {
  readonly variant: 'simd' | 'plain';
  loadMnist(options?: LoadMnistOptions): Promise<{ train: number; test: number }>;
  create(spec: TrainSpec): Promise<{ parameters: number; kernel: { shape: number[]; data: Float32Array } | null }>;
  /** Progress also carries the first layer's kernel and, about ten times a run, a test accuracy. */
  fit(options?: Omit<FitOptions, 'onProgress'> & { testImages?: number; onProgress?: (p: TrainProgress & { kernel: { shape: number[]; data: Float32Array } | null; testAccuracy?: number }) => void }): Promise<TrainProgress>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** The running fit() rejects with an AbortError. */
  stop(): Promise<void>;
  evaluate(options?: { wrongMax?: number }): Promise<{ accuracy: number; confusion: number[][]; wrong: { images: Uint8Array; labels: number[]; predicted: number[]; count: number } }>;
  save(): Promise<TrainedArtifacts>;
  memory(): Promise<MemoryStats>;
  dispose(): Promise<void>;
  terminate(): void;
}
export function spawnTrainer(options?: { simd?: boolean; wasmPaths?: string }): Promise<TrainWorker>;

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
  loadDigitClassifier(url?: string | URL): Promise<DigitClassifier>;
  classifyDrawing(drawing: PixelSource): Promise<DigitResult>;
  /** The first call fetches the trainer wasm module. A bad spec is a RangeError/TypeError before anything is allocated. */
  createTrainer(spec: TrainSpec): Promise<Trainer>;
  loadMnist(options?: LoadMnistOptions): Promise<Mnist>;
  memory(): MemoryStats;
}

/** Loads (once) and returns convolens; the SIMD binary where the engine supports it. */
export function load(options?: LoadOptions): Promise<Convolens>;
/** Whether this JavaScript engine runs the SIMD binaries (wasm SIMD and wasm exception handling). */
export function hasSimd(): boolean;
