// Tiny DOM helpers (no framework: the panel is a few hundred elements).

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: Array<Node | string | null | undefined>
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') e.className = String(v);
    else if (k === 'text') e.textContent = String(v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

/** A live region for short messages ("Saved to ...", "Copied"), read by screen readers. */
export function announce(text: string, error = false): void {
  const region = document.getElementById('status-line');
  if (!region) return;
  region.textContent = text;
  region.classList.toggle('error', error);
}

export function swatch(color: string): HTMLElement {
  const s = el('span', { class: 'swatch', 'aria-hidden': 'true' });
  s.style.background = color;
  return s;
}

/** A collapsed "Data table" whose table is built when first opened (hundreds of cells nobody may read). */
export function lazyDetails(summary: string, build: () => HTMLElement): HTMLDetailsElement {
  const d = el('details', {}, el('summary', { text: summary }));
  d.addEventListener('toggle', () => {
    if (d.open && d.children.length === 1) d.append(build());
  });
  return d;
}
