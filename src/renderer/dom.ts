type Child = Node | string;

/** A small element builder: tag, attributes, children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/** A table of strings; `highlight(row, column)` marks cells (e.g. each row's top class). */
export function table(columns: readonly string[], rows: readonly (readonly string[])[], highlight: (row: number, column: number) => boolean = () => false): HTMLTableElement {
  return h(
    'table',
    { class: 'sl-table' },
    h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', {}, c)))),
    h('tbody', {}, ...rows.map((row, r) => h('tr', {}, ...row.map((cell, c) => h('td', highlight(r, c) ? { class: 'sl-top' } : {}, cell))))),
  );
}

/** A labelled <select> over class names; calls back with the chosen index. */
export function classSwitch(labels: readonly string[], selected: number, onChange: (index: number) => void): HTMLLabelElement {
  const select = h('select', { class: 'sl-class', 'aria-label': 'class' }, ...labels.map((l, i) => h('option', i === selected ? { value: String(i), selected: '' } : { value: String(i) }, l)));
  select.addEventListener('change', () => onChange(Number(select.value)));
  return h('label', { class: 'sl-control' }, 'class ', select);
}
