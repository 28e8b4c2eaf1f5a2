// Models passed to helpers (interprocedural flow of a model): a function that adds layers to a model it
// is given (`function addHidden(model, units) { model.add(tf.layers.dense({units})) }`), called with a
// model of its caller (`for (...) addHidden(model, hiddenUnits)`, or through another helper that passes
// its own parameter on, to any depth up to MAX_NESTING). The helper's adds run where it is called: they are
// put in the caller's model at the call, in order, as many times as it is called, so the layer the caller
// adds after them comes after a width-sized layer (and a readout added by a helper is found in the
// caller's model).
import ts = require('typescript');
import { fileIndex } from './attention/fileIndex';
import type { Bindings } from './bindings';
import type { Facts } from './collect';
import type { LayerRec, SeqSite } from './discovery';
import { unwrap } from './source';

export interface SeqList {
  list: LayerRec[];
  sites: SeqSite[];
}

/** Helpers calling helpers: how deep the adds of a model passed on are followed. */
const MAX_NESTING = 6;

interface Pending {
  at: ts.CallExpression;
  from: SeqList;
  /** The caller's model, as the call passes it. */
  model: ts.Expression;
}

/**
 * Puts the adds of helpers into the models of their callers (in place); returns the models that are a
 * helper's parameter (open: their layers' place is taken in a caller's model first).
 */
export function inlineModelHelpers(
  facts: Facts,
  b: Bindings,
  calls: ts.CallExpression[],
  seqVars: Map<string, SeqList>,
  adds: Map<string, SeqList>,
  scopeKey: (name: string, at: ts.Node) => string,
): Set<SeqList> {
  // The models that are parameters: `model@<pos of the function declaring it>` where it is a parameter.
  let byPos: Map<number, ts.FunctionLikeDeclaration> | undefined;
  const params = new Map<ts.FunctionLikeDeclaration, { index: number; seq: SeqList }[]>();
  const open = new Set<SeqList>();
  const noteParam = (key: string, seq: SeqList): void => {
    const at = key.lastIndexOf('@');
    const pos = Number(key.slice(at + 1));
    if (!(pos >= 0) || open.has(seq)) return;
    const name = key.slice(0, at);
    if (!byPos) {
      byPos = new Map();
      for (const f of facts.functions) byPos.set(f.pos, f);
    }
    const fn = byPos.get(pos);
    if (open.has(seq) || !fn || !/^[A-Za-z_$][\w$]*$/.test(name)) return;
    const index = fn.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === name);
    if (index < 0) return;
    let list = params.get(fn);
    if (!list) params.set(fn, (list = []));
    list.push({ index, seq });
    open.add(seq);
  };
  for (const [key, seq] of adds) noteParam(key, seq);
  if (params.size === 0) return open;
  const ix = fileIndex(facts, b);
  const pending = new Map<SeqList, Pending[]>();
  // Rounds: a helper that only passes its model on to another (`addBlock(model)` calling `addHidden(model)`)
  // becomes a helper once the inner one is known.
  const seen = new Set<string>();
  for (let round = 0, grew = true; grew && round < MAX_NESTING; round++) {
    grew = false;
    for (const c of calls) {
      const fn = ix.resolveCall(c);
      const models = fn && params.get(fn);
      if (!models) continue;
      for (const { index, seq } of models) {
        const arg = c.arguments[index] && unwrap(c.arguments[index]);
        if (!arg || !(ts.isIdentifier(arg) || (ts.isPropertyAccessExpression(arg) && arg.expression.kind === ts.SyntaxKind.ThisKeyword))) continue;
        const id = `${c.pos}:${index}`;
        if (seen.has(id)) continue;
        seen.add(id);
        const key = scopeKey(arg.getText(facts.sf), c);
        let target = seqVars.get(key) ?? adds.get(key);
        if (!target) adds.set(key, (target = { list: [], sites: [] }));
        if (target === seq) continue; // a helper calling itself on its own parameter
        if (!open.has(target)) {
          noteParam(key, target);
          grew ||= open.has(target);
        }
        let p = pending.get(target);
        if (!p) pending.set(target, (p = []));
        p.push({ at: c, from: seq, model: arg });
      }
    }
  }
  // (pending calls in source order)
  for (const p of pending.values()) p.sort((x, y) => x.at.pos - y.at.pos);
  const done = new Set<SeqList>();
  const expand = (seq: SeqList, stack: SeqList[]): void => {
    if (done.has(seq)) return;
    const todo = pending.get(seq);
    if (!todo || stack.length > MAX_NESTING || stack.includes(seq)) return;
    stack.push(seq);
    const list: LayerRec[] = [];
    const sites: SeqSite[] = [];
    let k = 0;
    const take = (until: number) => {
      for (; k < todo.length && todo[k].at.pos < until; k++) {
        const { at, from, model } = todo[k];
        expand(from, stack);
        from.sites.forEach((s, i) => {
          list.push(from.list[i]);
          // (`via`: the helper calls from this model's code down to the add, outermost first)
          const via = s.kind === 'add' && s.via ? [at, ...s.via] : [at];
          sites.push({ kind: 'add', node: at, add: s.kind === 'add' ? (s.add ?? s.node) : undefined, model, via });
        });
      }
    };
    seq.sites.forEach((s, i) => {
      take(s.node.pos);
      list.push(seq.list[i]);
      sites.push(s);
    });
    take(Infinity);
    seq.list = list;
    seq.sites = sites;
    stack.pop();
    done.add(seq);
  };
  for (const seq of pending.keys()) expand(seq, []);
  return open;
}
