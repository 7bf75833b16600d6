// The weight-sharing argument with the page's own numbers: one fully connected neuron on the
// current frame versus one 5x5 convolution kernel.
const fmt = (n) => n.toLocaleString('en-US');

export function renderShare(width, height) {
  const el = document.getElementById('share-figure');
  if (!el) return;
  const pixels = width * height;
  const fc = pixels * 3;     // one neuron, every pixel and channel
  const conv = 5 * 5 * 3;    // one 5x5 kernel over 3 channels
  const ratio = Math.round(fc / conv);
  // Bars on a log scale: the linear ratio would leave the convolution invisible.
  const logw = (n) => `${Math.max(1.5, (Math.log10(n) / Math.log10(fc)) * 100).toFixed(1)}%`;
  const key = `${width}x${height}`;
  if (el.dataset.key === key) return;
  el.dataset.key = key;
  el.innerHTML = `
    <div class="card">
      <span class="big">${fmt(fc)}</span>
      <div class="bar"></div>
      <p>weights for <b>one</b> fully connected neuron on your ${fmt(width)} × ${fmt(height)} frame (${fmt(pixels)} pixels × 3 colours). A layer of 100 such neurons: ${fmt(fc * 100)}.</p>
    </div>
    <div class="card">
      <span class="big">${fmt(conv)}</span>
      <div class="bar conv"></div>
      <p>weights for one 5 × 5 convolution kernel over 3 colours — reused at all ${fmt(pixels)} positions. 100 kernels: ${fmt(conv * 100)}.</p>
    </div>
    <div class="card">
      <span class="big">${fmt(ratio)} ×</span>
      <p>fewer weights to learn, store and multiply. The bars use a logarithmic scale; drawn to linear scale, the kernel's bar would be ${(100 * conv / fc).toPrecision(2)} % of the other — thinner than a hair.</p>
    </div>`;
  // Widths through the CSSOM: the page's CSP refuses style="" attributes in markup.
  const [fcBar, convBar] = el.querySelectorAll('.bar');
  fcBar.style.width = logw(fc);
  convBar.style.width = logw(conv);
}
