// mup/optimizer-global-lr: one tf.train.* learning rate for a model with hidden (width x width)
// matrices. muP (MUP.md table): Adam hidden lr/width_mult, everything else lr; SGD hidden lr,
// input/readout/biases lr*width_mult. Adam is scale-invariant, so no gradient scaling can stand in.
import ts = require('typescript');
import { makeFinding, type Ctx } from '../context';
import { configProp, unwrap } from '../source';
import type { Finding } from '../types';

const OPTIMIZERS = new Set(['adam', 'sgd', 'momentum', 'rmsprop', 'adagrad', 'adamax', 'adadelta']);

export function optimizerRule(ctx: Ctx): Finding[] {
  const hasHidden = ctx.layers.layers.some((l) => l.role === 'hidden' || l.role === 'attention' || (l.category === 'custom' && l.fanIn && l.fanOut));
  if (!hasHidden) return [];
  const sites: { node: ts.Node; name: string }[] = [];
  let perGroup = false;
  const paths = ctx.b.callPaths;
  for (let i = 0; i < ctx.facts.calls.length; i++) {
    const call = ctx.facts.calls[i];
    if (!ts.isCallExpression(call)) continue;
    const path = paths[i];
    if (path?.startsWith('tf.train.')) {
      const name = path.slice('tf.train.'.length);
      if (!OPTIMIZERS.has(name)) continue;
      // An LR that already depends on the width is a per-group muP LR (hand-written MuAdam).
      if (call.arguments[0] && ctx.w.isDerived(call.arguments[0])) perGroup = true;
      sites.push({ node: call, name });
      continue;
    }
    const c = unwrap(call.expression);
    if (ts.isPropertyAccessExpression(c) && c.name.text === 'compile' && call.arguments[0]) {
      const cfg = unwrap(call.arguments[0]);
      const opt = ts.isObjectLiteralExpression(cfg) ? configProp(cfg, 'optimizer') : undefined;
      if (opt && ts.isStringLiteralLike(unwrap(opt)) && OPTIMIZERS.has((unwrap(opt) as ts.StringLiteral).text)) {
        sites.push({ node: opt, name: (unwrap(opt) as ts.StringLiteral).text });
      }
    }
  }
  if (perGroup) return [];
  const B = ctx.baseWidth;
  return sites.map(({ node, name }) => {
    const sgdLike = name === 'sgd' || name === 'momentum';
    const wants = sgdLike
      ? `muP SGD: hidden weights at lr, input/readout weights and biases at lr*width_mult (lr*width/${B})`
      : `muP ${name === 'adam' ? 'Adam' : 'adaptive optimizers'}: hidden (width x width) weights at lr/width_mult (lr*${B}/width), input/readout weights and biases at lr`;
    const message = `one ${name} learning rate for every parameter of a model with hidden matrices: ${wants}; use per-group LRs (MuAdam/MuSGD from mup-lens/runtime, or the engine's --mup)`;
    return makeFinding(ctx, 'mup/optimizer-global-lr', node, message, []);
  });
}
