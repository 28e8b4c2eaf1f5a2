import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarize } from '../../../src/coord/summarize';
import { coordPlots, coordRows } from '../../../src/plot/coordModel';
import { renderCoordReport } from '../../../src/report/coordHtml';

const layers = [
  { name: 'fc<1>', role: 'input', source: { file: '/w/m.ts', line: 3 } },
  { name: 'readout', role: 'readout', source: { file: '/w/m.ts', line: 9 } },
];
// readout: zero at init, then l1 = width / 64 (slope 1); fc<1>: flat 0.4.
const runs = [64, 128, 256].map((width) => ({ width, seed: 0, l1: [[0.4, 0], [0.4, width / 64], [0.4, width / 64]] }));
const result = summarize({ backend: 'wasm', steps: 3, seeds: 1, layers, runs });

test('one subplot per step, one line per layer, zeros left off the log axis', () => {
  // The report draws the panel's plot model (src/plot/coordModel.ts): its data is what the SVG shows.
  const plots = coordPlots(result, coordRows(result));
  const points = (t: number, i: number) => plots[t - 1]!.xs.map((w, k) => [w, plots[t - 1]!.series[i]!.ys[k]]).filter(([, v]) => v !== null);
  assert.deepEqual([points(1, 0).length, points(1, 1).length], [3, 0]);
  assert.deepEqual(points(2, 1), [[64, 1], [128, 2], [256, 4]]);
  const html = renderCoordReport(result, { title: 'mlp — m.ts' });
  assert.equal((html.match(/<svg /g) ?? []).length, 3);
  assert.equal((html.match(/<polyline /g) ?? []).length, 1 + 2 + 2);
  // On a log-log plot a power law is a straight line: the readout's three points at t = 2 are collinear.
  const svg2 = html.split('<svg ')[2];
  const line = /<polyline data-series="readout" points="([^"]+)"/.exec(svg2);
  assert.ok(line);
  const pts = line[1].split(' ').map((p) => p.split(',').map(Number));
  const s1 = (pts[1][1] - pts[0][1]) / (pts[1][0] - pts[0][0]);
  const s2 = (pts[2][1] - pts[1][1]) / (pts[2][0] - pts[1][0]);
  assert.ok(Math.abs(s1 - s2) < 0.05, `${s1} vs ${s2}`);
  assert.ok(s1 < 0, 'l1 grows with width: the line goes up (SVG y points down)');
});

test('verdict, worst layer with its source, slopes table; user text escaped; nothing remote', () => {
  const html = renderCoordReport(result, { title: 'mlp <b>', notes: ['data: <synthetic>'] });
  assert.match(html, /<div class="verdict fail" id="verdict"><b>FAIL<\/b>: largest \|slope\| <b>1\.00<\/b> at layer <b>readout<\/b>, t = 2 \(<code>\/w\/m\.ts:9<\/code>\)/);
  assert.match(html, /<th>fc&lt;1&gt;<\/th><td class="txt">input<\/td><td class="">\+0\.000<\/td>/);
  assert.match(html, /<td class="na">n\/a<\/td><td class="bad worst">\+1\.000<\/td>/);
  assert.match(html, /<title>Coordinate check: mlp &lt;b&gt;<\/title>/);
  assert.match(html, /<li>data: &lt;synthetic&gt;<\/li>/);
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//);
  const data = JSON.parse(/<script type="application\/json" id="coord-data">(.*)<\/script>/.exec(html)![1]);
  assert.equal(data.verdict.worst.layer, 'readout');
});
