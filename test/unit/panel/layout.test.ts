// The plot layout of the panel: columns and plot width from the panel's width, shared by the coordinate
// check's grid and the sweep's SP | muP row.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gridLayout } from '../../../src/plot/layout';

const COORD = { minWidth: 220, gap: 16, maxColumns: 5 };
const SWEEP = { minWidth: 280, gap: 24, maxColumns: 2 };
/** Width a row of `columns` plots takes, gaps included. */
const rowWidth = (l: { columns: number; plotWidth: number }, gap: number) => l.columns * l.plotWidth + (l.columns - 1) * gap;

describe('plot layout', () => {
  it('a 430 px panel gets two coordinate plots per row, not one 220 px plot with half the row empty', () => {
    const l = gridLayout({ available: 430, count: 5, ...COORD });
    assert.deepEqual(l, { columns: 1, rows: 5, plotWidth: 430 });
    // 430 < 2 * 220 + 16: two do not fit at the minimum, so one plot fills the row
    const l2 = gridLayout({ available: 460, count: 5, ...COORD });
    assert.deepEqual(l2, { columns: 2, rows: 3, plotWidth: 222 });
  });

  it('1101-1164 px: as many columns as fit, never 5 that overflow and wrap', () => {
    for (const w of [1101, 1130, 1163]) {
      const l = gridLayout({ available: w, count: 5, ...COORD });
      assert.equal(l.columns, 4, `at ${w}px`);
      assert.equal(l.rows, 2);
      assert.ok(rowWidth(l, 16) <= w && rowWidth(l, 16) > w - 4, `row ${rowWidth(l, 16)} of ${w}`);
    }
    // 5 x 220 + 4 x 16 = 1164: from there all five fit in one row
    assert.deepEqual(gridLayout({ available: 1164, count: 5, ...COORD }), { columns: 5, rows: 1, plotWidth: 220 });
    assert.deepEqual(gridLayout({ available: 1300, count: 5, ...COORD }), { columns: 5, rows: 1, plotWidth: 247 });
    // never more columns than plots, nor than maxColumns
    assert.deepEqual(gridLayout({ available: 1300, count: 3, ...COORD }), { columns: 3, rows: 1, plotWidth: 422 });
    assert.equal(gridLayout({ available: 3000, count: 8, ...COORD }).columns, 5);
  });

  it('fills every row at any width: plots and gaps add up to the width (within rounding), never more', () => {
    for (let w = 200; w <= 2000; w += 7) {
      for (const count of [1, 2, 3, 5, 8]) {
        for (const [name, o] of [['coord', COORD], ['sweep', SWEEP]] as const) {
          const l = gridLayout({ available: w, count, ...o });
          const used = rowWidth(l, o.gap);
          assert.ok(used <= w, `${name} ${count} plots at ${w}px: row ${used}`);
          assert.ok(used > w - l.columns, `${name} ${count} plots at ${w}px: row ${used} leaves room`);
          assert.ok(l.columns <= Math.min(count, o.maxColumns));
          if (l.columns > 1) assert.ok(l.plotWidth >= o.minWidth, `${name} at ${w}px: ${l.plotWidth}px under the minimum`);
          assert.equal(l.rows, Math.ceil(count / l.columns));
        }
      }
    }
  });

  it('puts SP and muP side by side once both fit at 280 px, else one above the other at full width', () => {
    assert.deepEqual(gridLayout({ available: 583, count: 2, ...SWEEP }), { columns: 1, rows: 2, plotWidth: 583 });
    assert.deepEqual(gridLayout({ available: 584, count: 2, ...SWEEP }), { columns: 2, rows: 1, plotWidth: 280 });
    assert.deepEqual(gridLayout({ available: 1300, count: 1, ...SWEEP }), { columns: 1, rows: 1, plotWidth: 1300 });
  });

  it('a panel narrower than one plot gets one plot as wide as the panel; odd inputs do not break it', () => {
    assert.deepEqual(gridLayout({ available: 150, count: 3, ...COORD }), { columns: 1, rows: 3, plotWidth: 150 });
    assert.deepEqual(gridLayout({ available: 800, count: 0, ...COORD }), { columns: 1, rows: 1, plotWidth: 800 });
    assert.deepEqual(gridLayout({ available: 0, count: 2, ...COORD }), { columns: 1, rows: 2, plotWidth: 1 });
    assert.deepEqual(gridLayout({ available: Number.NaN, count: 2, ...COORD }), { columns: 1, rows: 2, plotWidth: 1 });
  });
});
