/**
 * The console's only script: copy buttons (any element with `data-copy`). Served by the console
 * itself under `script-src 'self'`, so no inline script is ever allowed; without it every value
 * is still on the page to select by hand.
 */
export const CONSOLE_SCRIPT = `document.addEventListener('click', function (event) {
  var button = event.target instanceof Element ? event.target.closest('[data-copy]') : null;
  if (!button || !navigator.clipboard) return;
  navigator.clipboard.writeText(button.getAttribute('data-copy') || '').then(function () {
    var label = button.textContent;
    button.textContent = 'Copied';
    setTimeout(function () { button.textContent = label; }, 1500);
  });
});
`;
