// Type-checked (tsc --noEmit in npm test) usage of the package API as an embedding site sees it.
import { live, load, spawnTrainer, type Convolens, type DigitResult, type Filter, type Live, type LiveInfo, type Trainer } from 'convolens';
import { spawnWorker } from 'convolens/worker';

export async function sharpenCanvas(canvas: HTMLCanvasElement): Promise<void> {
  const cl: Convolens = await load({ wasmPaths: '/assets/convolens/' });
  const filter: Filter = cl.createFilter('sharpen', { border: 'reflect101' });
  const ctx = canvas.getContext('2d')!;
  const frame = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const out = new ImageData(canvas.width, canvas.height);
  filter.apply(frame, out);
  ctx.putImageData(out, 0, 0);
  filter.dispose();
}

export async function describeDrawing(drawing: ImageData): Promise<string> {
  const cl = await load();
  const result: DigitResult = await cl.classifyDrawing(drawing);
  return result.empty ? 'nothing drawn' : `${result.digit} (${(result.confidence * 100).toFixed(0)}%)`;
}

export async function blurInWorker(frame: ImageBitmap): Promise<ImageBitmap> {
  const worker = await spawnWorker({ simd: true });
  const pipe = await worker.createPipeline(['gaussian', { kernel: [1, 2, 1], width: 3, height: 1, scale: 4 }]);
  const out = await pipe.process(frame);
  await pipe.dispose();
  worker.terminate();
  return out;
}

export async function edgesLive(video: HTMLVideoElement, canvas: HTMLCanvasElement): Promise<Live> {
  const lv: Live = await live(video, canvas, ['gaussian', 'sobel-magnitude'], { engine: 'simd' });
  lv.addEventListener('error', (e) => console.warn(e.error.message));
  const info: LiveInfo = await lv.setEngine('plain');
  const probe = await lv.probe(10, 10);
  if (probe && info.variants.length) lv.pause();
  return lv;
}

export async function trainTiny(onLoss: (loss: number) => void): Promise<number> {
  const cl = await load();
  const mnist = await cl.loadMnist({ train: 5000, test: 1000 });
  const t: Trainer = await cl.createTrainer([{ type: 'conv2d', filters: 8, kernel: 3 }, { type: 'relu' }, { type: 'maxPool' }, { type: 'flatten' }, { type: 'dense', units: 10 }]);
  await t.fit(mnist.train, { epochs: 1, learningRate: 0.01, onProgress: (p) => onLoss(p.loss) });
  const { accuracy } = t.evaluate(mnist.test);
  const model = await t.model();
  model.dispose();
  t.dispose();
  return accuracy;
}

export async function trainInWorker(): Promise<ArrayBuffer> {
  const w = await spawnTrainer({ wasmPaths: '/assets/convolens/' });
  await w.loadMnist({ train: 60000 });
  await w.create('mnist');
  await w.fit({ epochs: 1, onProgress: (p) => console.log(p.step, p.testAccuracy) });
  const art = await w.save();
  w.terminate();
  return art.weightData;
}
