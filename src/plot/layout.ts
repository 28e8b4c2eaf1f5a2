// How many plots go in a row, and how wide each is, for a panel of a given width. One rule for the
// coordinate check's grid of subplots and the sweep's SP | muP row: as many columns as fit at the minimum
// plot width (at most `maxColumns`, never more than there are plots), then the plots share the row's whole
// width, gaps included, so a row is filled and never wraps. A panel narrower than one minimum-width plot
// gets one plot as wide as the panel (shrunk below the minimum rather than overflowing).

export interface GridLayoutInput {
  /** Width the row may use (the container's content width), px. */
  available: number;
  /** Number of plots. */
  count: number;
  /** Narrowest a plot may be when it shares a row with others, px. */
  minWidth: number;
  /** Space between two plots in a row (the container's CSS gap), px. */
  gap: number;
  maxColumns: number;
}

export interface GridLayout {
  columns: number;
  rows: number;
  /** Width of every plot, px (whole pixels, so a row's plots and gaps add up to at most `available`). */
  plotWidth: number;
}

export function gridLayout({ available, count, minWidth, gap, maxColumns }: GridLayoutInput): GridLayout {
  const avail = Math.max(1, Math.floor(Number.isFinite(available) ? available : 0));
  const n = Math.max(1, Math.floor(count));
  const fit = Math.floor((avail + gap) / (Math.max(1, minWidth) + gap));
  const columns = Math.max(1, Math.min(fit, n, Math.max(1, Math.floor(maxColumns))));
  const plotWidth = Math.max(1, Math.floor((avail - gap * (columns - 1)) / columns));
  return { columns, rows: Math.ceil(n / columns), plotWidth };
}
