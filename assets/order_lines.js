// The order form's lines (entry, revision, change request): add and remove rows in the page.
// Every row posts as lines-<row>-<field>; the server takes every row it receives, in page order,
// so rows need distinct numbers, not consecutive ones. Without this script the form still works
// with the rows the server rendered.
import { onContent } from './mount.js';

function mount(container) {
  const form = container.closest('form') || document;
  const template = form.querySelector('template[data-line-template]');
  const addButton = form.querySelector('[data-line-add]');
  const fullNote = form.querySelector('[data-line-full]');
  if (!template || !addButton) return;
  const maxLines = Number(container.dataset.maxLines) || Infinity;
  let nextRow = Number(container.dataset.nextRow) || 0;

  const rows = () => Array.from(container.querySelectorAll('fieldset.line'));

  function refresh() {
    const current = rows();
    current.forEach((row, index) => {
      const number = row.querySelector('.line-number');
      if (number) number.textContent = String(index + 1);
      const remove = row.querySelector('[data-line-remove]');
      if (remove) remove.hidden = current.length <= 1;
    });
    const full = current.length >= maxLines;
    addButton.hidden = full;
    if (fullNote) fullNote.hidden = !full;
  }

  function addRow() {
    if (rows().length >= maxLines) return;
    const markup = template.innerHTML.replaceAll('__row__', String(nextRow));
    nextRow += 1;
    const holder = document.createElement('template');
    holder.innerHTML = markup;
    const row = holder.content.firstElementChild;
    container.appendChild(holder.content);
    refresh();
    const first = row && row.querySelector('select, input, textarea');
    if (first) first.focus();
  }

  container.addEventListener('click', (event) => {
    const remove = event.target.closest('[data-line-remove]');
    if (!remove || rows().length <= 1) return;
    const row = remove.closest('fieldset.line');
    const neighbour = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    refresh();
    const focusTarget = neighbour && neighbour.querySelector('select, input, textarea');
    if (focusTarget) focusTarget.focus();
  });
  addButton.addEventListener('click', addRow);
  refresh();
}

onContent('[data-order-lines]', mount);
