// Digits drawn like a person with a mouse or finger: round-brush polylines for 0-9, two
// styles each (a 1 with and without a flag, a 4 open and closed, a 7 with a crossbar...), at
// four sizes/brush widths and three inks -> the shipped classifier must read every one.
import { load } from '../web/lib/convolens.js';
import { D, render } from './helpers/strokes.js';

test('stroke-drawn digits 0-9 in two styles, four sizes and three inks are all read correctly', async () => {
  const cl = await load();
  const clf = await cl.loadDigitClassifier();
  try {
    const wrong = [];
    let n = 0;
    for (const [digit, styles] of Object.entries(D)) styles.forEach((strokes, style) => {
      for (const [box, brush, aspect] of [[200, 18, 0.65], [120, 12, 0.7], [240, 30, 0.6], [90, 14, 0.75]]) {
        const ink = ['dark', 'light', 'alpha'][n++ % 3];
        const r = clf.classify(render(strokes, { box, brush, aspect, x: 30, y: 20, ink }));
        if (r.digit !== Number(digit)) wrong.push(`${digit} style ${style} size ${box} brush ${brush} ${ink}: read ${r.empty ? 'nothing' : r.digit}`);
      }
    });
    expect(n).toBe(80);
    expect(wrong).toEqual([]);
  } finally {
    clf.dispose();
  }
}, 60000);
