/**
 * The console's only script, served by the console itself under `script-src 'self'` (no inline
 * script is ever allowed). Two conveniences, neither needed: every page works without it.
 * - Copy buttons: any element with `data-copy` copies that value to the clipboard.
 * - Form alternatives: a group with `data-when="name=value name!=value"` is shown only while the
 *   form's chooser says so (without the script, groups not chosen are merely dimmed, and the
 *   server reads only the chosen one).
 */
export const CONSOLE_SCRIPT = `document.documentElement.classList.add('js');
document.addEventListener('click', function (event) {
  var button = event.target instanceof Element ? event.target.closest('[data-copy]') : null;
  if (!button || !navigator.clipboard) return;
  navigator.clipboard.writeText(button.getAttribute('data-copy') || '').then(function () {
    var label = button.textContent;
    button.textContent = 'Copied';
    setTimeout(function () { button.textContent = label; }, 1500);
  });
});
function valueOf(form, name) {
  var controls = form.querySelectorAll('[name="' + name.replace(/"/g, '\\\\"') + '"]');
  for (var i = 0; i < controls.length; i++) {
    var c = controls[i];
    if (c.type === 'radio' || c.type === 'checkbox') { if (c.checked) return c.value; } else return c.value;
  }
  return '';
}
function refresh(form) {
  form.querySelectorAll('[data-when]').forEach(function (group) {
    var shown = group.getAttribute('data-when').split(' ').every(function (condition) {
      var not = condition.indexOf('!=') > 0;
      var parts = condition.split(not ? '!=' : '=');
      return (valueOf(form, parts[0]) === parts.slice(1).join('=')) !== not;
    });
    if (shown) group.removeAttribute('data-inactive'); else group.setAttribute('data-inactive', '');
    // A hidden group's inputs are neither checked by the browser (a hidden required input would
    // block the post) nor posted.
    group.querySelectorAll('input,select,textarea').forEach(function (c) { c.disabled = !shown; });
  });
}
document.addEventListener('change', function (event) {
  var form = event.target instanceof Element ? event.target.closest('form') : null;
  if (form) refresh(form);
});
document.addEventListener('DOMContentLoaded', function () { document.querySelectorAll('form').forEach(refresh); });
`;
