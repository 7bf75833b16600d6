// The TensorFlow.js side shared by the CNN cross-check tests (js-tests/nn.test.js) and the CNN
// benchmark (bench/cnn.js): seeded inputs, the tiny MNIST net, and saving a tf model to the
// in-memory artifacts convolens loads. `tf` is passed in, so each caller picks its backend.

// mulberry32: the same values every run.
export function random(n, seed, lo = 0, hi = 1) {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

// model.save() through an in-memory handler: {modelTopology, weightSpecs, weightData}.
export async function artifactsOf(tf, model) {
  let art;
  await model.save(tf.io.withSaveHandler(async (a) => {
    art = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return art;
}

// Conv 8@5x5 same + ReLU -> MaxPool 2 -> Conv 16@5x5 same + ReLU -> MaxPool 2 -> Dense 10 + softmax.
export function mnistTiny(tf) {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 5, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 16, kernelSize: 5, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return m;
}
