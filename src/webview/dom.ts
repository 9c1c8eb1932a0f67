/** Small DOM builders: elements with attributes and children, no HTML strings. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

export function option(value: string, text: string): HTMLOptionElement {
  return el('option', { value }, text);
}
