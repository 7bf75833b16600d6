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
  /**
   * Filters and the CNN on several threads (the SIMD + threads modules, convolens-simd-mt.* and
   * convolens-nn-simd-mt.*): a number 1..16, true (the cores, up to 8), false (one thread, the
   * SIMD module). Undefined: threads where they can run (threadSupport(): a cross-origin-isolated
   * page or its workers, or Node >= 18; wasm SIMD; more than one core), else one thread, quietly.
   */
  threads?: number | boolean;
  /**
   * When threads cannot run although asked for (`threads` set), or their pool does not start
   * (its worker script missing or blocked, another origin, `threadsTimeout` passed): true
   * (default) warns once (see `warn`) and runs the single-thread SIMD module; false rejects with
   * an Error naming the reason.
   */
  threadsFallback?: boolean;
  /** How long the pool's Workers may take to start, in ms (default 20000); then the fallback. */
  threadsTimeout?: number;
  /** Where the threads fallback warning goes (default console.warn). */
  warn?: (message: string) => void;
}

/** Whether the SIMD + threads module can run here; `reason` says why not (empty when ok). */
export function threadSupport(): Promise<{ ok: boolean; cores: number; reason: string }>;

/** A model whose large batches run across threads (Workers with the single-thread CNN module). */
export interface ParallelModel {
  readonly inputShape: number[];
  readonly outputShape: number[];
  readonly pixels: Readonly<Required<PixelInput>>;
  /** Threads a large batch is split across (the calling thread + Workers). */
  readonly threads: number;
  /** Batches smaller than this run on the calling thread alone (batch 1 as Model.predict). */
  readonly minBatch: number;
  /** As Model.predict; the same values as the single-thread model, as a new Float32Array. */
  predict(input: Pixels | Float32Array | Array<Pixels | Float32Array>): Promise<Float32Array>;
  summary(): LayerSummary[];
  /** Ends the Workers and frees the model. */
  dispose(): void;
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
  /**
   * Filters one frame (results rule: see Model). Returns `output` filled, or without one
   * (undefined or null) a new Uint8ClampedArray the caller owns.
   */
  apply(input: PixelSource, output?: Pixels | null): Uint8ClampedArray;
  /** Zero copy: a view of the wasm heap to write a frame into, valid until the next call that may allocate. */
  input(width: number, height: number, channels?: 1 | 4): Uint8ClampedArray;
  /** Zero copy: filters the frame written at input(); returns a view of wasm memory valid until the next call. */
  run(): Uint8ClampedArray;
  setOptions(options: FilterOptions): void;
  dispose(): void;
}

export interface Pipeline {
  /** As Filter.apply: `output` filled, or a new array the caller owns. */
  apply(input: PixelSource, output?: Pixels | null): Uint8ClampedArray;
  input(width: number, height: number, channels?: 1 | 4): Uint8ClampedArray;
  run(): Uint8ClampedArray;
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
  weights: ArrayBuffer | SharedArrayBuffer | ArrayBufferView | Array<ArrayBuffer | SharedArrayBuffer | ArrayBufferView>;
}
/** What `tf.io.withSaveHandler` hands over when a TF.js model is saved. */
export interface ModelArtifacts {
  modelTopology: object;
  weightSpecs: object[];
  weightData: ArrayBuffer;
}

/**
 * How a model turns pixels (RGBA bytes 0..255) into input values. Each channel value v becomes
 * `range[0] + (range[1] - range[0]) * v / 255`; a model with 1 input channel gets one gray value
 * per pixel, 3 channels get R, G, B, 4 channels R, G, B, A. Default `{range: [0, 1], gray: 'luma'}`.
 */
export interface PixelInput {
  /** Values for 0 and 255, e.g. [-1, 1]. Default [0, 1]. */
  range?: [number, number];
  /** 'luma' = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601; default), 'average' = (R + G + B) / 3. */
  gray?: 'luma' | 'average';
}

export interface LoadModelOptions {
  /** Aborts the download (URL and path sources); loadModel rejects with an Error naming the URL. */
  signal?: AbortSignal;
  /** ms until an unfinished download is given up (each loadModel call). Default 60000; 0 = none. */
  timeout?: number;
  /** How images passed to predict()/activations() become input values. */
  pixels?: PixelInput;
}

/**
 * Results rule (the whole library): Filter/Pipeline apply(), predict(), activations(), weights()
 * and classify() return new arrays that the caller owns; they are never views of wasm memory, so
 * later calls, other objects and memory growth cannot change or detach them. To avoid the
 * allocation, pass an output (apply's `output`, predict's `options.output`): it is filled and
 * returned. Only the explicit zero-copy pair Filter/Pipeline input() / run() hands out views.
 */
export interface Model {
  /** Per image, without the batch dimension, e.g. [28, 28, 1]. */
  readonly inputShape: number[];
  readonly outputShape: number[];
  /** How images become input values (the `pixels` option of loadModel, defaults filled in). */
  readonly pixels: Readonly<Required<PixelInput>>;
  /**
   * One image or Float32Array (N × inputShape values), or an array of those (a batch). Images are
   * converted as `pixels` says. Returns N × outputShape values: a new Float32Array, or `output`
   * (at least that long) filled in.
   */
  predict(
    input: Pixels | Float32Array | Array<Pixels | Float32Array>,
    options?: { reference?: boolean; output?: Float32Array },
  ): Float32Array;
  summary(): LayerSummary[];
  /** Every layer's output for one image (copies), for feature-map views. */
  activations(input: Pixels | Float32Array): Activation[];
  /** The layer's kernel as stored in the file (HWIO for convolutions), or null without weights (a copy). */
  weights(layerName: string): { shape: number[]; data: Float32Array } | null;
  dispose(): void;
}

/** How the ink was told apart from the background. */
export type InkPolarity = 'dark-on-light' | 'light-on-dark' | 'alpha';
interface DigitInput {
  /** The 28×28 image the network sees (white on black, 0..1), row-major. */
  input28: Float32Array;
  polarity: InkPolarity;
  /** Bounding box of the ink on the drawing (stray marks apart from the digit left out). */
  box: { x: number; y: number; width: number; height: number };
  /** Drawing pixels counted as the digit's ink (stray marks left out). */
  inkPixels: number;
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
  /** loaded of total chunks; bytes: compressed bytes fetched so far. */
  onProgress?: (p: { loaded: number; total: number; bytes: number }) => void;
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
  /** Workers training together (1 where SharedArrayBuffer is missing: a page that is not cross-origin isolated). */
  readonly workers: number;
  loadMnist(options?: LoadMnistOptions): Promise<{ train: number; test: number }>;
  create(spec: TrainSpec): Promise<{ parameters: number; kernel: { shape: number[]; data: Float32Array } | null }>;
  /** Progress also carries the first layer's kernel and, about ten times a run, a test accuracy. */
  fit(options?: Omit<FitOptions, 'onProgress'> & { testImages?: number; onProgress?: (p: TrainProgress & { kernel: { shape: number[]; data: Float32Array } | null; testAccuracy?: number; testImages: number }) => void }): Promise<TrainProgress>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** The running fit() rejects with an AbortError. */
  stop(): Promise<void>;
  evaluate(options?: { wrongMax?: number }): Promise<{ accuracy: number; count: number; confusion: number[][]; predictions: Uint8Array; wrong: { images: Uint8Array; labels: number[]; predicted: number[]; count: number } }>;
  save(): Promise<TrainedArtifacts>;
  memory(): Promise<MemoryStats>;
  dispose(): Promise<void>;
  terminate(): void;
}
/** workers > 1: data-parallel training, each worker computes the gradients of its part of every batch. */
export function spawnTrainer(options?: { simd?: boolean; wasmPaths?: string; workers?: number }): Promise<TrainWorker>;

export interface Convolens {
  /** 'simd', 'plain' or 'simd-mt' (SIMD + threads: filters and CNN): which binaries load. */
  readonly variant: 'simd' | 'plain' | 'simd-mt';
  /** What the binary was compiled for: 'wasm-simd128', 'wasm-plain' or 'wasm-simd128-threads'. */
  readonly backend: string;
  /**
   * Threads the filters and the CNN (loadModel, the digit classifier) run on: 1 unless the SIMD +
   * threads modules loaded; 1 after dispose(). A CNN batch is split across them (small batches and
   * batch 1 stay on the calling thread), and so are one image's large conv layers.
   */
  readonly threads: number;
  /** Threads taking part from now on: 1..the number load() started (RangeError otherwise). */
  setThreads(n: number): void;
  /** Ends every pool thread (filters and CNN); objects made before keep working on one thread; load() afterwards starts afresh. */
  dispose(): void;
  readonly presets: Preset[];
  createFilter(preset: string, params?: PresetParams): Filter;
  createFilter(spec: KernelSpec): Filter;
  createPipeline(steps: Array<Filter | string | KernelSpec>): Pipeline;
  /**
   * The first call also fetches the CNN wasm module (same variant, threads and paths as load()). Weight
   * paths in model.json must be relative names inside the model's folder (in the browser also
   * absolute URLs of the same origin); anything else is refused before anything is read.
   */
  loadModel(source: string | URL | ModelSource | ModelArtifacts | File[] | FileList, options?: LoadModelOptions): Promise<Model>;
  /**
   * A model whose batches of at least `minBatch` images (default 64) are split across `threads`
   * (default: this.threads, else the cores up to 8): the calling thread plus Workers running the
   * single-thread CNN module. Smaller batches run on the calling thread alone. Needs no
   * SharedArrayBuffer: the way to several threads on pages without cross-origin isolation.
   */
  loadParallelModel(
    source: string | URL | ModelSource | ModelArtifacts | File[] | FileList,
    options?: LoadModelOptions & { threads?: number; minBatch?: number },
  ): Promise<ParallelModel>;
  /** `url` undefined or null: the shipped MNIST model. */
  /** The shipped MNIST model when source is undefined/null (with wasmPaths: `<wasmPaths>mnist/`), else any model source loadModel takes. */
  loadDigitClassifier(source?: string | URL | ModelSource | File[] | FileList | null): Promise<DigitClassifier>;
  /** Loads the shipped classifier on first use and keeps it (see releaseDigitClassifier). */
  classifyDrawing(drawing: PixelSource): Promise<DigitResult>;
  /** Frees the classifier classifyDrawing() keeps (model and drawing buffers); the next call loads it again. */
  releaseDigitClassifier(): Promise<void>;
  /** The first call fetches the trainer wasm module. A bad spec is a RangeError/TypeError before anything is allocated. */
  createTrainer(spec: TrainSpec): Promise<Trainer>;
  loadMnist(options?: LoadMnistOptions): Promise<Mnist>;
  memory(): MemoryStats;
  /** live() on this instance's binary and wasmPaths. */
  live(source: LiveSource | null, canvas: HTMLCanvasElement, chain?: ChainInput, options?: LiveOptions): Promise<Live>;
}

/** One stage of a live chain: a preset name, a preset with parameters, or a custom kernel. */
export type LiveStage =
  | string
  | { preset: string; params?: PresetParams }
  | { kernel: { width: number; height: number; weights: ArrayLike<number>; scale?: number; offset?: number } };
/** A live chain: the stages, or the stages with the border and colour mode they share. */
export type ChainInput = LiveStage[] | { stages: LiveStage[]; border?: Border; borderValue?: number; mode?: Mode };
export interface Chain {
  stages: Array<{ preset: string; params?: PresetParams } | { kernel: { width: number; height: number; weights: ArrayLike<number>; scale: number; offset: number } }>;
  border: Border;
  borderValue: number;
  mode: Mode;
}
/** Where live() takes frames from. A MediaStream gets a hidden <video> (its tracks stay the caller's). */
export type LiveSource = HTMLVideoElement | MediaStream | HTMLCanvasElement | OffscreenCanvas | HTMLImageElement | ImageBitmap;
/**
 * 'simd' | 'plain' (the wasm binaries), 'js' (plain JavaScript, naive.js), or any load() variant
 * written binary-feature, e.g. 'simd-mt' = load({simd: true, threads: true}).
 */
export type EngineName = 'simd' | 'plain' | 'js' | `${'simd' | 'plain'}-${string}`;

export interface LiveOptions extends LoadOptions {
  /** Default: 'simd' where the engine supports it, else 'plain'. */
  engine?: EngineName;
  /** false: process on the main thread (default: a Worker owning an OffscreenCanvas, where available). */
  worker?: boolean;
  /** Called on every animation frame before a canvas source is read (to animate it). */
  draw?: (time: number) => void;
}
/** What the engine reports after start, setChain and setEngine. */
export interface LiveInfo {
  engine: EngineName;
  /** 'wasm-simd128' | 'wasm-plain' | 'plain JavaScript' | ... */
  engineName: string;
  presets: Preset[];
  /** The single kernel of each stage (null for two-kernel operators such as gradient magnitude). */
  kernels: Array<{ width: number; height: number; weights: ArrayLike<number>; scale: number; offset: number } | null>;
  /** Why a stage is skipped (plain JavaScript runs single kernels only), or null. */
  unsupported: string | null;
  /** The core variant running each stage, e.g. 'conv3x3_i16__wasmsimd'. */
  variants: string[];
}
export interface FrameTiming {
  /** Engine time. */
  filterMs: number;
  /** Read-back + engine + drawing. */
  totalMs: number;
  width: number;
  height: number;
  /** true for a re-run of the last frame (paused, after a change). */
  rerun?: boolean;
}
export interface LiveStats {
  /** Smoothed frames per second, engine ms and whole-frame ms. */
  readonly fps: number;
  readonly ms: number;
  readonly frameMs: number;
  /** Frames processed; frames dropped because one was still in flight. */
  readonly frames: number;
  readonly dropped: number;
  /** Median engine ms of the last (up to) 64 frames since reset(); their count. */
  median(): number;
  reset(): void;
  readonly count: number;
}
export interface Probe {
  x: number;
  y: number;
  width: number;
  height: number;
  stages: number;
  /** The stage explained (0 = the first, which reads the source frame). */
  stage: number;
  /** The stage's kernel; null for a gradient magnitude (see gradient). */
  kernel: { width: number; height: number; weights: ArrayLike<number>; scale: number; offset: number } | null;
  /** Gradient-magnitude stages: the x and y kernels (scale and offset from x) and the norm. */
  gradient: { op: string; norm: 'L1' | 'L2'; kernel: { width: number; height: number; weights: ArrayLike<number>; scale: number; offset: number }; kernelY: { width: number; height: number; weights: ArrayLike<number> } } | null;
  border: Border;
  borderValue: number;
  mode: Mode;
  /** The stage's input under its kernel, in kernel order; x = y = -1 for constant-border taps;
   * outside: the tap lies past the image edge (its value comes from the border mode). */
  taps: Array<{ x: number; y: number; dx: number; dy: number; outside: boolean; rgb: [number, number, number] }>;
  /** The frame's input pixel and the pixel after the whole chain (what the canvas shows). */
  input: [number, number, number, number];
  output: [number, number, number, number];
  /** The explained stage's input and output pixel (stage 0 of one filter: input and output). */
  stageInput: [number, number, number, number];
  stageOutput: [number, number, number, number];
}
export interface LiveEventMap {
  frame: Event & { detail: FrameTiming };
  error: Event & { error: Error };
  info: Event & { detail: LiveInfo };
  /** The processing worker died; a new one runs the same engine and chain. */
  restart: Event & { detail: { reason: string; restarts: number } };
}
export interface Live extends EventTarget {
  readonly mode: 'worker' | 'main thread';
  /** The output canvas (a fresh one replaces it if a worker took it and then failed). */
  readonly canvas: HTMLCanvasElement;
  readonly info: LiveInfo;
  readonly engine: EngineName;
  readonly stats: LiveStats;
  readonly paused: boolean;
  readonly width: number;
  readonly height: number;
  /** Processing workers that died and were replaced. */
  readonly restarts: number;
  readonly source: LiveSource | null;
  setSource(source: LiveSource, options?: { draw?: (time: number) => void }): Promise<void>;
  /** Rejects (and keeps the previous chain running) on a bad chain. */
  setChain(chain: ChainInput): Promise<LiveInfo>;
  setEngine(name: EngineName): Promise<LiveInfo>;
  pause(): void;
  resume(): void;
  rerun(): Promise<FrameTiming | null>;
  stop(): Promise<void>;
  /** Copies of the last input frame and its output (rect crops). */
  snapshot(rect?: { x?: number; y?: number; width?: number; height?: number }): Promise<{ width: number; height: number; input: Uint8ClampedArray; output: Uint8ClampedArray } | null>;
  /** What the pixel inspector needs for output pixel (x, y) of one stage of the chain (default 0). */
  probe(x: number, y: number, options?: { stage?: number }): Promise<Probe | null>;
  toBlob(): Promise<Blob>;
  memory(): Promise<MemoryStats>;
  /** Ends the processing worker as the browser would (fault drills, tests); a new one starts. */
  killWorker(): void;
  addEventListener<K extends keyof LiveEventMap>(type: K, listener: (e: LiveEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
}

/**
 * Runs a video, MediaStream or canvas through a filter chain onto `canvas`, live: in a Worker
 * with an OffscreenCanvas where available, one frame in flight (late frames are dropped).
 */
export function live(source: LiveSource | null, canvas: HTMLCanvasElement, chain?: ChainInput, options?: LiveOptions): Promise<Live>;
/** The engines live() names in its UI-facing list. */
export const ENGINES: ReadonlyArray<{ name: EngineName; label: string }>;
/** A chain in the engine's plain-data form. */
export function toChain(chain: ChainInput): Chain;

/** The CNN side alone: fetches only the CNN module (for pages that filter in cl.live's worker). */
export function loadCnn(options?: LoadOptions): Promise<{
  readonly variant: 'simd' | 'plain';
  loadModel(source: string | URL | ModelSource | ModelArtifacts | File[] | FileList): Promise<Model>;
  loadDigitClassifier(source?: string | URL | ModelSource | File[] | FileList | null): Promise<DigitClassifier>;
  memory(): { liveBytes: number; liveBuffers: number };
}>;
/** Loads (once) and returns convolens; the SIMD binary where the engine supports it. */
export function load(options?: LoadOptions): Promise<Convolens>;
/** Whether this JavaScript engine runs the SIMD binaries (wasm SIMD, exception handling and bulk memory). */
export function hasSimd(): boolean;
