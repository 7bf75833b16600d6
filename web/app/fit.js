// Where an image of width x height is drawn inside a box of boxWidth x boxHeight by CSS
// object-fit: contain: the scale and the offsets of the drawn image inside the box.
export function containFit(boxWidth, boxHeight, width, height) {
  const scale = Math.min(boxWidth / width, boxHeight / height);
  return { scale, left: (boxWidth - width * scale) / 2, top: (boxHeight - height * scale) / 2 };
}
