// Colours of the plots. Pure (no DOM): the webview passes the theme kind it reads from VS Code's body class.
//
// Layers get a categorical palette (Tableau 10, distinct on light and dark backgrounds). Widths get a
// sequential scale (viridis) so that "wider" reads as "further along" at a glance; the ends of viridis that
// vanish against the background (dark purple on dark themes, yellow on light ones) are cut off.

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

const TABLEAU10 = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f',
  '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac',
];

/** Colour of the i-th layer (wraps after 10). */
export function layerColor(i: number): string {
  return TABLEAU10[((i % TABLEAU10.length) + TABLEAU10.length) % TABLEAU10.length];
}

// viridis at 0, 0.125, ..., 1 (matplotlib's table).
const VIRIDIS: Array<[number, number, number]> = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as [number, number, number];
}

function hex([r, g, b]: [number, number, number]): string {
  return '#' + [r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('');
}

/** The part of viridis that stays visible on the theme's background. */
export function sequentialRange(theme: ThemeKind): [number, number] {
  return theme === 'dark' || theme === 'high-contrast' ? [0.3, 1] : [0, 0.85];
}

/** Colour of the i-th of n widths (sorted ascending): the narrowest at one end of the scale, the widest at the other. */
export function widthColor(i: number, n: number, theme: ThemeKind): string {
  const [lo, hi] = sequentialRange(theme);
  const t = n <= 1 ? hi : lo + ((hi - lo) * i) / (n - 1);
  return hex(viridis(t));
}

/** Relative luminance (WCAG) of a #rrggbb colour; used by tests to check the scale is monotone. */
export function luminance(color: string): number {
  const v = [1, 3, 5].map((k) => parseInt(color.slice(k, k + 2), 16) / 255);
  const lin = v.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
}
