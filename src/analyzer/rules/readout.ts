// mup/readout-not-scaled: a readout (infinite fan-in, finite fan-out; docs/mup.md) whose output is not
// multiplied by 1/width_mult. Fixes: a width rescaling right after it (in the file's import style), or
// `MuReadout` when the file already imports the mup-lens runtime.
import ts = require('typescript');
import { baseText, makeFinding, type Ctx } from '../context';
import { PROJECTION_OUT, type LayerRec } from '../discovery';
import { configProp, enclosingClass, enclosingFunction, indentAt, insertAt, replaceNode, unwrap } from '../source';
import type { Finding, Fix, TextEdit } from '../types';
import { fanInKnobAt, lastElementOf } from './readoutWidth';
import { useReadoutRule } from './readoutUse';
import { tiedReadoutRule } from './tiedReadout';

export function readoutRule(ctx: Ctx): Finding[] {
  const out: Finding[] = [];
  for (const rec of ctx.layers.layers) {
    if (rec.role !== 'readout' || rec.outputScaled) continue;
    // The knob as the code at the fix can name it: the one behind the readout's own fan-in when the code
    // there can name it (the last element of a list of layer sizes, `this.lstmLayers[n - 1].units`), else
    // a parameter or field there, else the width inside the fan-in (`inputDim: config.nEmbd` in gpt-tfjs,
    // whose factory takes a `conf` object), else a file-level knob. Never a bare `width` the file does not
    // define, when it can be helped, and never a list where a number belongs.
    const fanInRef = ctx.w.widthNameIn(ctx.layers.fanInExpr(rec), ctx.sf);
    const widthAt = (at: ts.Node): string | undefined => {
      const ref = fanInKnobAt(ctx, rec, at) ?? ctx.w.localWidthRefAt(at) ?? fanInRef ?? ctx.w.widthRefAt(at);
      return ref && lastElementOf(ctx, ref);
    };
    const width = widthAt(rec.node) ?? 'width';
    const base = baseText(ctx);
    const outSize = configProp(rec.config, PROJECTION_OUT[rec.ctor] ?? 'units');
    const label = rec.name ? `readout '${rec.name}'` : 'readout';
    const message =
      `${label} (fan-in grows with width, fan-out ${outSize ? outSize.getText(ctx.sf) : 'fixed'}) is not muP-scaled: ` +
      `its output must be multiplied by 1/width_mult (base ${ctx.baseWidth}: scale ${ctx.baseWidth}/${width}), ` +
      `else its output grows with width after the first update`;
    const fixes: Fix[] = [];
    const mu = muReadoutFix(ctx, rec);
    // (no rescaling fix when the code at the fix cannot name the width: a bare `width` would not run)
    const rescale = rescaleFix(ctx, rec, (at) => {
      const w = widthAt(at);
      return w && `${base} / ${w}`;
    });
    if (mu) fixes.push({ ...mu, isPreferred: true });
    if (rescale) fixes.push(mu ? rescale : { ...rescale, isPreferred: true });
    out.push(makeFinding(ctx, 'mup/readout-not-scaled', rec.node, message, fixes));
  }
  // readouts at some calls of a helper that adds hidden layers at its others (`addDense(model, outputUnits)`)
  for (const f of useReadoutRule(ctx)) out.push(f);
  // readouts tied to the embedding table, written by hand (`tf.matMul(h, table, false, true)`)
  for (const f of tiedReadoutRule(ctx)) out.push(f);
  return out;
}

/**
 * `tf.layers.dense({...})` -> `new MuReadout({..., baseWidth})`, only when the runtime is imported already.
 * `baseWidth` is the readout's input size at the base width (B for a `width` input, `4 * B` for `4 * width`):
 * without it the runtime's MuReadout throws when called before `applyBaseShapes` (a plain predict).
 */
function muReadoutFix(ctx: Ctx, rec: LayerRec): Fix | undefined {
  if (!ctx.b.has('mup') || rec.ctor !== 'dense' || !ts.isCallExpression(rec.node)) return undefined;
  const sf = ctx.sf;
  const ref = ctx.b.refTo('mup.MuReadout');
  const prop = `baseWidth: ${baseWidthText(ctx, rec)}`;
  const [first, ...rest] = rec.node.arguments;
  const arg0 = first && unwrap(first);
  let config: string;
  if (!first) config = `{ ${prop} }`;
  else if (ts.isObjectLiteralExpression(arg0)) {
    const props = arg0.properties;
    const start = first.getStart(sf);
    const text = first.getText(sf);
    if (props.length === 0) config = `{ ${prop} }`;
    else {
      // After the last property, on its own line when the object is written one property a line.
      const last = props[props.length - 1];
      const multiline = sf.text.slice(arg0.getStart(sf), last.getStart(sf)).includes('\n');
      const at = last.end - start;
      config = text.slice(0, at) + (multiline ? `,\n${indentAt(sf, last.getStart(sf))}${prop}` : `, ${prop}`) + text.slice(at);
    }
  } else config = `{ ...${first.getText(sf)}, ${prop} }`;
  const args = [config, ...rest.map((a) => a.getText(sf))].join(', ');
  return { title: `Use ${ref.text} (muP readout from mup-lens/runtime)`, edits: [...ref.edits, replaceNode(sf, rec.node, `new ${ref.text}(${args})`)] };
}

/** `B`, `4 * B`, `B / 2`: the readout's fan-in at the base width, in terms of the file's base width. */
function baseWidthText(ctx: Ctx, rec: LayerRec): string {
  const base = baseText(ctx);
  const e = ctx.layers.fanInExpr(rec);
  const at1 = ctx.values.sizeAt(e, 1);
  const at2 = ctx.values.sizeAt(e, 2);
  const atBase = ctx.values.sizeAt(e, ctx.baseWidth);
  if (at1 !== undefined && at2 !== undefined && at1 > 0 && Math.abs(at2 - 2 * at1) < 1e-9) {
    // Proportional to the width: a multiple (or fraction) of the base width.
    const r = at1;
    if (r === 1) return base;
    if (Number.isInteger(r)) return `${r} * ${base}`;
    const inv = 1 / r;
    if (Math.abs(inv - Math.round(inv)) < 1e-9) return `${base} / ${Math.round(inv)}`;
    return `${Number(r.toPrecision(6))} * ${base}`;
  }
  // Not proportional (`width + 16`): its value at the base width.
  if (atBase !== undefined && atBase > 0 && Number.isFinite(atBase)) return String(Number(atBase.toPrecision(12)));
  return `${base} /* the readout's input size at the base width: check */`;
}

function rescaleFix(ctx: Ctx, inner: LayerRec, scaleAt: (at: ts.Node) => string | undefined): Fix | undefined {
  const sf = ctx.sf;
  // A wrapped layer (`timeDistributed({layer: dense})`) is rescaled where its wrapper sits.
  const rec = inner.wrapper ?? inner;
  if (enclosingClass(rec.node) && rec.applies.length > 0 && !rec.seq && runsEagerly(rec.applies[0])) {
    // Inside a custom layer's call(): scale the tensor, no new layer per call. (In a method that builds a
    // functional model the tensor is symbolic, which tf.mul does not take: a rescaling layer, below.)
    const mul = ctx.b.refTo('tf.mul');
    const a = rec.applies[0];
    const scale = scaleAt(a);
    if (!scale) return undefined;
    const title = `Multiply the readout output by ${scale} (1/width_mult)`;
    const cast = isTs(ctx) ? ` as ${ctx.b.refTo('tf.Tensor').text}` : '';
    const typeEdits = isTs(ctx) ? ctx.b.refTo('tf.Tensor').edits : [];
    return { title, edits: dedupe([...mul.edits, ...typeEdits, replaceNode(sf, a, `${mul.text}(${a.getText(sf)}${cast}, ${scale})`)]) };
  }
  const ref = ctx.b.refTo('tf.layers.rescaling');
  let scale = scaleAt(rec.node);
  let edit: TextEdit | undefined;
  const here = rec.seq?.sites[rec.seq.index];
  if (!scale && rec.seq && here?.kind === 'add' && here.model && rec.seq.sites[rec.seq.index + 1]?.node !== here.node) {
    // Added last by a helper that cannot name the width: the rescaling goes after the helper's call, in
    // the caller's model (`addHead(model, 10);` then `model.add(tf.layers.rescaling(...))`).
    scale = scaleAt(here.node);
    const stmt = statementOf(here.node);
    if (scale) edit = insertAt(sf, stmt.end, `\n${indentAt(sf, stmt.getStart(sf))}${here.model.getText(sf)}.add(${ref.text}({ scale: ${scale} }));`);
  }
  if (!scale) return undefined;
  const layerText = `${ref.text}({ scale: ${scale} })`;
  if (edit) {
    // placed after the helper's call above
  } else if (rec.seq) {
    const at = rec.seq.sites[rec.seq.index];
    // (a layer added by a helper is rescaled in the helper, right after its own `model.add`)
    const site = at.kind === 'add' ? (at.add ?? at.node) : at.node;
    if (at.kind === 'add') {
      // model.add(readout): add the rescaling right after that statement.
      const stmt = statementOf(site);
      const recv = unwrap((site as ts.CallExpression).expression) as ts.PropertyAccessExpression;
      const indent = indentAt(sf, stmt.getStart(sf));
      edit = insertAt(sf, stmt.end, `\n${indent}${recv.expression.getText(sf)}.add(${layerText});`);
    } else {
      // element of `layers: [...]`
      const multiline = sf.text.slice(site.end, site.parent.end).includes('\n') || sf.text.slice(site.parent.pos, site.pos).includes('\n');
      const indent = indentAt(sf, site.getStart(sf));
      edit = insertAt(sf, site.end, multiline ? `,\n${indent}${layerText}` : `, ${layerText}`);
    }
  } else if (rec.applies.length > 0) {
    const a = rec.applies[0];
    edit = replaceNode(sf, a, `${layerText}.apply(${a.getText(sf)})`);
  }
  if (!edit) return undefined;
  return { title: `Insert ${ref.text}({ scale: ${scale} }) after the readout (1/width_mult)`, edits: [...ref.edits, edit] };
}

/** An apply inside a layer's `call()` or a module's `forward()`: run on tensors, not symbolic ones. */
function runsEagerly(apply: ts.Node): boolean {
  const fn = enclosingFunction(apply);
  const name = fn && (ts.isMethodDeclaration(fn) || ts.isFunctionDeclaration(fn)) && fn.name ? fn.name.getText() : undefined;
  return name === 'call' || name === 'forward' || (!!fn && !!enclosingClass(fn)?.heritageClauses?.some((h) => h.token === ts.SyntaxKind.ExtendsKeyword));
}

function isTs(ctx: Ctx): boolean {
  return /\.(ts|tsx|mts|cts)$/i.test(ctx.fileName);
}

/** Two import additions at the same spot (`, mul` and `, Tensor`) merge into one edit. */
function dedupe(edits: TextEdit[]): TextEdit[] {
  const out: TextEdit[] = [];
  for (const e of edits) {
    const same = out.find((o) => o.line === e.line && o.column === e.column && o.endLine === e.endLine && o.endColumn === e.endColumn && o.line === o.endLine && o.column === o.endColumn);
    if (same && e.line === e.endLine && e.column === e.endColumn) {
      if (same.newText !== e.newText) same.newText += e.newText;
    } else out.push({ ...e });
  }
  return out;
}

function statementOf(n: ts.Node): ts.Node {
  let p: ts.Node = n;
  while (p.parent && !ts.isBlock(p.parent) && !ts.isSourceFile(p.parent) && !ts.isCaseClause(p.parent)) p = p.parent;
  return p;
}

