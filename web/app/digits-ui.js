export async function initDigits() {}
