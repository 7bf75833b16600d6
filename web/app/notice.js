// The notice above the live view (camera problems, unreadable uploads), mirrored in the test
// hook. With onRetry, a "Try the camera again" button follows the text.
const $ = (id) => document.getElementById(id);

export function showNotice(hook, text, onRetry = null) {
  const el = $('notice');
  hook.notice = text;
  el.hidden = !text;
  el.replaceChildren();
  if (!text) return;
  el.append(text);
  if (onRetry) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = 'Try the camera again';
    b.addEventListener('click', onRetry);
    el.append(' ', b);
  }
}
