// Which layer outputs a coordinate check records, under which names and roles, and where they are in the source.
// Pure: it works on shape descriptions of the model built at two widths (src/worker/coordJob.ts makes them) and on
// the analyzer's layer list, so it is unit-tested without tfjs.
import type { LayerInfo } from '../analyzer/types';
import type { CoordLayer } from './types';

/** A layer of a built model, as far as planning needs it. */
export interface LayerShape {
  className: string;
  name: string;
  /** Last dimension of the layer's (first) input and output; null when unknown. */
  inDim: number | null;
  outDim: number | null;
  /** Indices (into the same list) of the layers feeding this one. */
  inbound: number[];
  hasWeights: boolean;
  isInput: boolean;
  /** Where the user's code built it (file, line), from the call's stack in the worker; absent when unknown. */
  site?: { file: string; line: number } | null;
}

/** What the planner knows of the source: the analyzer's layers of the model file, and of other files on demand. */
export interface PlanSource {
  file: string;
  exportName: string;
  layers: LayerInfo[];
  /** The analyzer's layers of another file a layer was built in (a helper the model imports); null if unknown. */
  layersOf?: (file: string) => LayerInfo[] | null;
}

export interface PlannedLayer extends CoordLayer {
  /** Index of the model layer whose output is recorded for this entry. */
  index: number;
}

export interface LayerPlan {
  layers: PlannedLayer[];
  notes: string[];
}

function roleOf(a: LayerShape, b: LayerShape | undefined): string {
  if (!b) return 'other';
  const inScales = a.inDim !== b.inDim;
  const outScales = a.outDim !== b.outDim;
  const cls = a.className.toLowerCase();
  if (!a.hasWeights) return 'other';
  if (cls.includes('norm')) return 'norm';
  if (!inScales && outScales) return cls === 'embedding' ? 'embedding' : 'input';
  if (inScales && outScales) return 'hidden';
  // Infinite fan-in, finite fan-out: a readout (docs/mup.md vocabulary), a bottleneck dense(16) included.
  if (inScales && !outScales) return 'readout';
  return 'other';
}

const isRescaling = (l: LayerShape): boolean => l.className === 'Rescaling';

/** `tf.layers.dense` -> `dense`, `Dense` -> `dense`, `new mup.MuReadout` -> `mureadout`. */
function kindKey(kind: string): string {
  const last = kind.replace(/^new\s+/, '').split('.').pop() ?? kind;
  return last.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
}

/** tfjs layers by their factory name; a user's class by its name, allowing a prefix in its `className`. */
function sameKind(kind: string, className: string): boolean {
  const a = kindKey(kind);
  const b = kindKey(className);
  if (a === b) return true;
  const builtin = /^(tf\.)?layers\./.test(kind.replace(/^new\s+/, ''));
  return !builtin && a.length >= 4 && b.endsWith(a);
}

/** `ln1_0` -> `ln1_`: layers made in a loop share a stem and the source line of their call. */
function stem(name: string): string {
  return name.replace(/\d+$/, '');
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/**
 * Plans the recorded layers. `a` and `b` describe the model built at two different widths (same layer order);
 * `source` is the analyzer's layer list for the model file (null when unavailable).
 */
export function planLayers(a: LayerShape[], b: LayerShape[] | null, source: PlanSource | null): LayerPlan {
  const notes: string[] = [];
  const comparable = b !== null && b.length === a.length;
  if (b !== null && !comparable) {
    notes.push(`the model has ${a.length} layers at one width and ${b.length} at another: roles are not inferred`);
  }
  const roles = a.map((l, i) => (comparable ? roleOf(l, b[i]) : 'other'));
  const recordAt = a.map((_, i) => i);
  const dropped = new Set<number>();
  const pendingNotes: [number, string][] = [];
  a.forEach((l, i) => {
    if (l.isInput) dropped.add(i);
  });

  // The readout is one unit with its multiplier (docs/mup.md): a rescaling right after it is recorded under the
  // readout's name, a rescaling right before it is dropped (its output is h / m, which shrinks by design).
  roles.forEach((role, r) => {
    if (role !== 'readout') return;
    const after = a.findIndex((l) => isRescaling(l) && l.inbound.length === 1 && l.inbound[0] === r);
    if (after >= 0) {
      recordAt[r] = after;
      dropped.add(after);
      pendingNotes.push([r, 'is measured after the rescaling that follows it (its 1/width multiplier)']);
    }
    for (const k of a[r].inbound) {
      if (isRescaling(a[k])) {
        dropped.add(k);
        pendingNotes.push([r, 'is measured as is: the rescaling before it is its multiplier (the rescaled input is not recorded)']);
      }
    }
  });

  // Names: a name the user gave is the same at both widths; tfjs' automatic names change with every build
  // (dense_Dense1, dense_Dense5, ...), so those are replaced by the analyzer's name or `<class>_<k>`.
  const userNamed = a.map((l, i) => comparable && b[i].name === l.name);
  const analyzerLayers = source
    ? source.layers.filter((l) => l.factory === null || l.factory === source.exportName || !source.layers.some((x) => x.factory === source.exportName))
    : [];
  const matched = new Map<number, LayerInfo>();
  const used = new Set<LayerInfo>();
  // A layer whose call site is known is matched by its line: exact, in helper files too. The analyzer's entry
  // at that line (same kind) gives it a name and a role; its source is the call site either way.
  const sited = (i: number) => a[i].site != null;
  a.forEach((l, i) => {
    if (l.isInput || !l.site || !source) return;
    const site = l.site;
    const infos = site.file === source.file ? source.layers : (source.layersOf?.(site.file) ?? []);
    const hit = infos
      .filter((x) => x.line <= site.line && site.line <= x.endLine && sameKind(x.kind, l.className))
      .sort((x, y) => x.endLine - x.line - (y.endLine - y.line))[0];
    // (one call site in a loop makes several layers: they all take its entry)
    if (hit) {
      matched.set(i, hit);
      used.add(hit);
    }
  });
  a.forEach((l, i) => {
    if (!userNamed[i] || sited(i)) return;
    const hit = analyzerLayers.find((x) => x.name === l.name && !used.has(x));
    if (hit) {
      matched.set(i, hit);
      used.add(hit);
    }
  });
  let cursor = 0;
  a.forEach((l, i) => {
    if (l.isInput || matched.has(i) || sited(i)) return;
    for (let j = cursor; j < analyzerLayers.length; j++) {
      const x = analyzerLayers[j];
      if (used.has(x)) continue;
      if (sameKind(x.kind, l.className)) {
        matched.set(i, x);
        used.add(x);
        cursor = j + 1;
        break;
      }
    }
  });

  // Layers made in a loop (`name: \`ln1_${i}\``) come from one call site: the first of them was matched in
  // order above; the others take its line.
  a.forEach((l, i) => {
    if (l.isInput || matched.has(i) || sited(i) || !userNamed[i] || stem(l.name) === l.name) return;
    const twin = [...matched.entries()].find(([j]) => userNamed[j] && stem(a[j].name) === stem(l.name) && a[j].className === l.className);
    if (twin) matched.set(i, twin[1]);
  });

  const counters = new Map<string, number>();
  const taken = new Set<string>();
  const layers: PlannedLayer[] = [];
  a.forEach((l, i) => {
    if (dropped.has(i)) return;
    const info = matched.get(i);
    let name: string;
    if (userNamed[i]) name = l.name;
    else if (info?.name && !taken.has(info.name)) name = info.name;
    else {
      const base = lowerFirst(l.className);
      let k = counters.get(base) ?? 0;
      do name = `${base}_${++k}`;
      while (taken.has(name));
      counters.set(base, k);
    }
    taken.add(name);
    // Shapes say how a layer scales; the analyzer knows what it is when shapes cannot (attention is width -> width).
    const role = info && (info.role === 'attention' || (roles[i] === 'other' && !comparable)) ? info.role : roles[i];
    layers.push({
      name,
      role,
      source: l.site ? { file: l.site.file, line: l.site.line } : info && source ? { file: source.file, line: info.line } : null,
      index: recordAt[i],
    });
  });
  const nameOf = new Map(layers.map((l) => [l.index, l.name]));
  for (const [r, text] of pendingNotes) notes.push(`readout '${nameOf.get(recordAt[r]) ?? a[r].name}' ${text}`);
  return { layers, notes };
}
