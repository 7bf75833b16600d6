export function initSlide() {}
