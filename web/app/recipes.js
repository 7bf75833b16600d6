// Starting points worth a click: each is a whole chain, applied by the recipe buttons.
const RECIPES = {
  edges: { stages: [{ preset: 'sobel-magnitude' }], border: 'replicate', borderValue: 0, mode: 'gray' },
  'blur-edges': { stages: [{ preset: 'gaussian', params: { sigma: 2 } }, { preset: 'sobel-magnitude' }], border: 'replicate', borderValue: 0, mode: 'rgb' },
  emboss: { stages: [{ preset: 'emboss' }], border: 'replicate', borderValue: 0, mode: 'gray' },
  motion: { stages: [{ kernel: { width: 7, height: 1, weights: [1, 1, 1, 1, 1, 1, 1], scale: 7, offset: 0 } }], border: 'reflect101', borderValue: 0, mode: 'rgb' },
  reset: { stages: [{ preset: 'sharpen' }], border: 'replicate', borderValue: 0, mode: 'rgb' },
};

export function wireRecipes(filters) {
  for (const b of document.querySelectorAll('#recipes [data-recipe]'))
    b.addEventListener('click', () => filters.setChain(RECIPES[b.dataset.recipe]));
}
