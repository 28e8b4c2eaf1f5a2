// mup/init-fan-avg and mup/init-constant-std. tfjs dense/conv default to glorotUniform (fan-average):
// for a fixed->width input layer its variance 2/(fan_in + W) shrinks with width (docs/mup.md: slope about
// -0.44 at init). A fixed std (GPT-2's 0.02) on a width->width matrix makes pre-activations grow like
// sqrt(width). muP: variance 1/fan_in on input and hidden weights; zeros (or width-constant) on the readout.
import ts = require('typescript');
import { makeFinding, type Ctx } from '../context';
import type { LayerRec } from '../discovery';
import { configProp, configPropNode, indentAt, insertAt, replaceNode, unwrap } from '../source';
import type { Finding, Fix, TextEdit } from '../types';
import { useReadoutInitFinding } from './readoutUse';

export type InitKind = 'fanAvg' | 'fanIn' | 'fanOut' | 'constantStd' | 'zeros' | 'other';

export interface InitInfo {
  kind: InitKind;
  /** What it is, for messages: `glorotUniform (default)`, `randomNormal stddev 0.02`. */
  label: string;
  /** The initializer expression when written out. */
  node?: ts.Expression;
}

const FAN_AVG = new Set(['glorotUniform', 'glorotNormal']);
const FAN_IN = new Set(['heNormal', 'heUniform', 'leCunNormal', 'leCunUniform']);
const CONST_STD = new Set(['randomNormal', 'truncatedNormal', 'randomUniform']);
const DEFAULT_STD: Record<string, string> = { randomNormal: 'stddev 0.05', truncatedNormal: 'stddev 0.05', randomUniform: 'range +-0.05' };

function byName(name: string, cfg: ts.ObjectLiteralExpression | undefined, ctx: Ctx, node: ts.Expression): InitInfo {
  if (FAN_AVG.has(name)) return { kind: 'fanAvg', label: name, node };
  if (FAN_IN.has(name)) return { kind: 'fanIn', label: name, node };
  if (name === 'zeros') return { kind: 'zeros', label: name, node };
  if (name === 'varianceScaling') {
    const mode = configProp(cfg, 'mode');
    const m = mode && ts.isStringLiteralLike(unwrap(mode)) ? (unwrap(mode) as ts.StringLiteral).text : 'fanIn';
    return { kind: m === 'fanAvg' ? 'fanAvg' : m === 'fanOut' ? 'fanOut' : 'fanIn', label: `varianceScaling mode ${m}`, node };
  }
  if (CONST_STD.has(name)) {
    const keys = name === 'randomUniform' ? ['minval', 'maxval'] : ['stddev'];
    const vals = keys.map((k) => configProp(cfg, k)).filter((v): v is ts.Expression => !!v);
    if (vals.some((v) => ctx.w.isDerived(v))) return { kind: 'other', label: name, node };
    const detail = vals.length ? keys.map((k, i) => (vals[i] ? `${k} ${vals[i].getText(ctx.sf)}` : '')).filter(Boolean).join(', ') : DEFAULT_STD[name];
    return { kind: 'constantStd', label: `${name} ${detail}`, node };
  }
  return { kind: 'other', label: name, node };
}

/** What an initializer expression is, through `const init = ...` and `const init = () => ...`. */
export function initInfo(e: ts.Expression | undefined, ctx: Ctx, depth = 0): InitInfo | undefined {
  if (!e || depth > 4) return undefined;
  const u = unwrap(e);
  // tfjs takes the class name too: 'GlorotNormal' is 'glorotNormal' (tfjs-examples' addition-rnn writes it so).
  if (ts.isStringLiteralLike(u)) return byName(u.text.charAt(0).toLowerCase() + u.text.slice(1), undefined, ctx, e);
  if (ts.isCallExpression(u) || ts.isNewExpression(u)) {
    const path = ctx.b.qualify(u.expression);
    const cfgArg = u.arguments?.[0] && unwrap(u.arguments[0]);
    const cfg = cfgArg && ts.isObjectLiteralExpression(cfgArg) ? cfgArg : undefined;
    if (path && path.startsWith('tf.initializers.')) return byName(path.slice('tf.initializers.'.length), cfg, ctx, e);
    // mup-lens/runtime's fan-in initializer and readout init
    if (path === 'mup.muFanIn') return { kind: 'fanIn', label: 'muFanIn', node: e };
    if (path === 'mup.muReadoutInit' || path === 'mup.MuReadoutInit') return { kind: 'zeros', label: 'muReadoutInit', node: e };
    // a local zero-argument factory: `const fanIn = () => tf.initializers.varianceScaling(...)`
    if (ts.isIdentifier(u.expression)) {
      const v = ctx.facts.assigns.get(u.expression.text)?.[0]?.value;
      const fv = v && unwrap(v);
      if (fv && (ts.isArrowFunction(fv) || ts.isFunctionExpression(fv))) {
        if (ts.isArrowFunction(fv) && !ts.isBlock(fv.body)) return initInfo(fv.body, ctx, depth + 1);
        const ret = ts.isBlock(fv.body) ? fv.body.statements.find(ts.isReturnStatement)?.expression : undefined;
        return initInfo(ret, ctx, depth + 1);
      }
      const fd = ctx.facts.functions.find((f) => ts.isFunctionDeclaration(f) && f.name?.text === (u.expression as ts.Identifier).text);
      if (fd?.body && ts.isBlock(fd.body)) return initInfo(fd.body.statements.find(ts.isReturnStatement)?.expression, ctx, depth + 1);
    }
    return { kind: 'other', label: u.expression.getText(ctx.sf), node: e };
  }
  if (ts.isIdentifier(u)) {
    const list = ctx.facts.assigns.get(u.text);
    if (list && list.length === 1 && !ts.isBindingElement(list[0].value as ts.Node)) return initInfo(list[0].value, ctx, depth + 1);
  }
  return { kind: 'other', label: u.getText(ctx.sf), node: e };
}

function layerInit(rec: LayerRec, ctx: Ctx): InitInfo {
  const given = configProp(rec.config, 'kernelInitializer') ?? configProp(rec.config, 'depthwiseInitializer');
  if (!given) return { kind: 'fanAvg', label: 'glorotUniform (the tfjs default)' };
  return initInfo(given, ctx) ?? { kind: 'other', label: given.getText(ctx.sf) };
}

export function fanInInitText(ctx: Ctx): { text: string; edits: TextEdit[] } {
  const ref = ctx.b.refTo('tf.initializers.varianceScaling');
  return { text: `${ref.text}({ scale: 1, mode: 'fanIn', distribution: 'uniform' })`, edits: ref.edits };
}

/** Set `kernelInitializer` in a layer config: replace the value, or add the property. */
function setKernelInit(ctx: Ctx, cfg: ts.ObjectLiteralExpression, value: string): TextEdit {
  const sf = ctx.sf;
  const existing = configPropNode(cfg, 'kernelInitializer');
  if (existing && ts.isPropertyAssignment(existing)) return replaceNode(sf, existing.initializer, value);
  if (existing) return replaceNode(sf, existing, `kernelInitializer: ${value}`);
  const props = cfg.properties;
  if (props.length === 0) return replaceNode(sf, cfg, `{ kernelInitializer: ${value} }`);
  const last = props[props.length - 1];
  const multiline = sf.getLineAndCharacterOfPosition(last.getStart(sf)).line !== sf.getLineAndCharacterOfPosition(cfg.getStart(sf)).line;
  return insertAt(sf, last.end, multiline ? `,\n${indentAt(sf, last.getStart(sf))}kernelInitializer: ${value}` : `, kernelInitializer: ${value}`);
}

function layerLabel(rec: LayerRec): string {
  return `${rec.role} layer${rec.name ? ` '${rec.name}'` : ''}`;
}

export function initRules(ctx: Ctx): Finding[] {
  const out: Finding[] = [];
  for (const rec of ctx.layers.layers) {
    if (rec.category !== 'projection' || !rec.config) continue;
    const info = layerInit(rec, ctx);
    if ((rec.role === 'input' || rec.role === 'readout') && info.kind === 'fanAvg') {
      const fixes: Fix[] = [];
      if (rec.role === 'readout') {
        fixes.push({ title: `Initialise the readout to zeros (muP readout_zero_init)`, edits: [setKernelInit(ctx, rec.config, `'zeros'`)], isPreferred: true });
      } else {
        const fi = fanInInitText(ctx);
        fixes.push({ title: `Use fan-in init: ${fi.text}`, edits: [...fi.edits, setKernelInit(ctx, rec.config, fi.text)], isPreferred: true });
      }
      const wants = rec.role === 'readout' ? 'muP wants zeros (or a variance constant in width) on the readout' : 'muP wants variance 1/fan_in, constant in width';
      const message = `${layerLabel(rec)} uses ${info.label}, a fan-average init: its variance 2/(fan_in+fan_out) changes as width grows; ${wants}`;
      out.push(makeFinding(ctx, 'mup/init-fan-avg', rec.node, message, fixes));
    } else if (info.kind === 'fanAvg' && ctx.layers.useReadouts.has(rec)) {
      // a readout at some calls of the helper that adds it (rules/readoutUse.ts)
      const f = useReadoutInitFinding(ctx, rec, info.label);
      if (f) out.push(f);
    } else if (rec.fanIn && rec.role !== 'readout' && info.kind === 'constantStd') {
      const fi = fanInInitText(ctx);
      const message =
        `${layerLabel(rec)} has width-scaled fan-in but a fixed-std init (${info.label}): pre-activations grow like sqrt(width) ` +
        `(std matches 1/sqrt(fan_in) at one width only); muP wants variance 1/fan_in`;
      out.push(makeFinding(ctx, 'mup/init-constant-std', rec.node, message, [
        { title: `Use fan-in init: ${fi.text}`, edits: [...fi.edits, setKernelInit(ctx, rec.config, fi.text)], isPreferred: true },
      ]));
    }
  }
  out.push(...addWeightRule(ctx));
  return out;
}

/** `this.addWeight(name, [dIn, dOut], dtype, init)` in custom layers: a width x width matrix with a fixed std. */
function addWeightRule(ctx: Ctx): Finding[] {
  const out: Finding[] = [];
  for (const call of ctx.facts.calls) {
    if (!ts.isCallExpression(call)) continue;
    const c = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(c) || c.name.text !== 'addWeight' || call.arguments.length < 4) continue;
    const shape = unwrap(call.arguments[1]);
    if (!ts.isArrayLiteralExpression(shape) || shape.elements.length < 2) continue;
    if (!ctx.w.isDerived(shape.elements[0]) || !ctx.w.isDerived(shape.elements[shape.elements.length - 1])) continue;
    const info = initInfo(call.arguments[3], ctx);
    if (info?.kind !== 'constantStd') continue;
    const fi = fanInInitText(ctx);
    const nameArg = unwrap(call.arguments[0]);
    const label = ts.isStringLiteralLike(nameArg) ? `weight '${nameArg.text}'` : 'weight';
    const message = `${label} is width x width but has a fixed-std init (${info.label}): its outputs grow like sqrt(width); muP wants variance 1/fan_in`;
    out.push(makeFinding(ctx, 'mup/init-constant-std', call, message, [
      { title: `Use fan-in init: ${fi.text}`, edits: [...fi.edits, replaceNode(ctx.sf, call.arguments[3], fi.text)], isPreferred: true },
    ]));
  }
  return out;
}

