// Shared by the entries: run a mount function once per matching element, on page load and on
// content that htmx swaps in later (htmx fires `htmx:load` on each new element).

/** Call `mount(el)` for every element matching `selector` in `root` not yet mounted. */
function scan(root, selector, mount) {
  const found = [];
  if (root.matches && root.matches(selector)) found.push(root);
  if (root.querySelectorAll) found.push(...root.querySelectorAll(selector));
  for (const el of found) {
    if (el.dataset.ogMounted) continue;
    el.dataset.ogMounted = '1';
    mount(el);
  }
}

/** Mount now (or when the DOM is ready) and again whenever htmx loads new content. */
export function onContent(selector, mount) {
  const run = () => scan(document, selector, mount);
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', run);
  } else {
    run();
  }
  document.addEventListener('htmx:load', (event) => scan(event.detail.elt, selector, mount));
}

/** Show a failure inside the container; the page may give its own (translated) text. */
export function showError(el, err) {
  console.error(err);
  const message = document.createElement('p');
  message.className = 'og-bpmn-error';
  message.setAttribute('role', 'alert');
  message.textContent = el.dataset.errorMessage || 'The diagram could not be shown.';
  el.prepend(message);
}

/**
 * Let `target` take files dragged onto it: data-dropping is set while a file is over it (for
 * the styles), and `open(files)` gets the dropped FileList. Drags of anything else pass by.
 */
export function onFileDrop(target, open) {
  const hasFiles = (event) =>
    event.dataTransfer && Array.from(event.dataTransfer.types || []).includes('Files');
  target.addEventListener('dragover', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    target.dataset.dropping = '1';
  });
  target.addEventListener('dragleave', () => delete target.dataset.dropping);
  target.addEventListener('drop', (event) => {
    delete target.dataset.dropping;
    const files = event.dataTransfer ? event.dataTransfer.files : null;
    if (!files || !files.length) return;
    event.preventDefault();
    open(files);
  });
}
