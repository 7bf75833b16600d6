// Type declarations for convolens/worker (web/lib/worker.js).
import type { DigitResult, KernelSpec, LayerSummary, Activation, LoadOptions, Pixels, PresetParams } from './convolens.js';

export interface RemoteFilter {
  /** Filters a frame in the worker. The frame is transferred (closed for the caller). */
  process(frame: ImageBitmap | VideoFrame): Promise<ImageBitmap>;
  apply(pixels: Pixels): Promise<Uint8ClampedArray>;
  dispose(): Promise<void>;
}

export interface RemoteModel {
  predict(input: Float32Array | Pixels): Promise<Float32Array>;
  activations(input: Float32Array | Pixels): Promise<Activation[]>;
  summary(): Promise<LayerSummary[]>;
  dispose(): Promise<void>;
}

export interface ConvolensWorker {
  readonly variant: 'simd' | 'plain' | 'simd-mt';
  readonly backend: string;
  /** Threads the worker's filters run on (see LoadOptions.threads). */
  readonly threads: number;
  createFilter(preset: string, params?: PresetParams): Promise<RemoteFilter>;
  createFilter(spec: KernelSpec): Promise<RemoteFilter>;
  createPipeline(steps: Array<string | KernelSpec>): Promise<RemoteFilter>;
  loadModel(url: string): Promise<RemoteModel>;
  classifyDrawing(pixels: Pixels): Promise<DigitResult>;
  /** False once the worker died or was terminated; every call then rejects. */
  readonly alive: boolean;
  /** Called once if the worker dies (the browser ended it, or it failed to run); spawn a new one. */
  onexit: ((error: Error) => void) | null;
  /** Ends the worker and, with it, every thread of its threaded module. */
  terminate(): void;
}

export function spawnWorker(options?: Omit<LoadOptions, 'locateFile' | 'warn'>): Promise<ConvolensWorker>;
