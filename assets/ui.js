// Small behaviours every page may use (loaded by base.html):
//   <form data-confirm="…">     asks before submitting (deactivate a user, reset a password,
//                               replace a confirmation link): Cancel submits nothing.
//   <button data-copy="#id">    copies the value (or text) of the element #id to the clipboard and
//                               says so in the button's data-copied text for two seconds; the
//                               button is `hidden` in the page and shown only here, so a browser
//                               without scripts never shows a button that cannot work.
//   <form data-file-drop>       a file dropped anywhere on the form goes into its file input and
//                               the form is submitted (the input still works on its own).
import { onContent, onFileDrop } from './mount.js';

document.addEventListener(
  'submit',
  (event) => {
    const form = event.target;
    const message = form && form.dataset ? form.dataset.confirm : '';
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  },
  true,
);

function copied(button) {
  const label = button.textContent;
  button.textContent = button.dataset.copied || label;
  setTimeout(() => {
    button.textContent = label;
  }, 2000);
}

onContent('[data-copy]', (button) => {
  button.hidden = false;
  button.addEventListener('click', async () => {
    const target = document.querySelector(button.dataset.copy);
    if (!target) return;
    const text = 'value' in target ? target.value : target.textContent;
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // No clipboard API (a plain-HTTP address other than localhost): select, copy the old way.
      if (target.select) target.select();
      document.execCommand('copy');
    }
    copied(button);
  });
});

onContent('[data-file-drop]', (form) => {
  const input = form.querySelector('input[type="file"]');
  if (!input) return;
  onFileDrop(form, (files) => {
    input.files = files;
    form.requestSubmit();
  });
});
