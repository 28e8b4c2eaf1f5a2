// The scale a user-defined layer puts on the scores: `new Scale(1 / Math.sqrt(d)).apply(scores)` where the
// class (a `tf.layers.Layer` subclass or a plain class with `call`/`apply`/`forward`) multiplies or divides
// its input by a field set from a constructor argument (`this.factor = factor`, `this.scale =
// config.scale`, `constructor(private readonly s: number)`). Read from the class's method and constructor:
// the argument given at the `new` is the scale, or the field's own value when it is computed in the class.
import ts = require('typescript');
import { bindingKey, calleeName, configProp, propName, SKIP, unwrap, walk } from '../source';
import type { FileIndex } from './fileIndex';

export interface CustomScale {
  scale: ts.Expression;
  divides: boolean;
}

/** The `new X(...)` an expression holds: itself, or through a local or a field (one level each). */
function constructed(e: ts.Expression, ix: FileIndex, depth: number): ts.NewExpression | undefined {
  const u = unwrap(e);
  if (depth > 3) return undefined;
  if (ts.isNewExpression(u)) return u;
  if (ts.isIdentifier(u)) {
    const v = ix.latest(u.text, u);
    return v && constructed(v, ix, depth + 1);
  }
  if (ts.isPropertyAccessExpression(u) && u.expression.kind === ts.SyntaxKind.ThisKeyword) {
    for (const v of ix.fieldValues(u.name.text)) {
      const n = constructed(v, ix, depth + 1);
      if (n) return n;
    }
  }
  return undefined;
}

function classNamed(ix: FileIndex, name: string): ts.ClassLikeDeclaration | undefined {
  return ix.facts.classes.find((c) => c.name?.text === name);
}

/** The method `name` of a class or of the classes it extends in this file. */
function method(ix: FileIndex, cls: ts.ClassLikeDeclaration, names: string[]): ts.MethodDeclaration | undefined {
  for (let c: ts.ClassLikeDeclaration | undefined = cls, i = 0; c && i < 4; i++) {
    for (const m of c.members) if (ts.isMethodDeclaration(m) && m.body && m.name && names.includes(propName(m.name) ?? '')) return m;
    const ext: ts.Expression | undefined = c.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
    c = ext && ts.isIdentifier(ext) ? classNamed(ix, ext.text) : undefined;
  }
  return undefined;
}

/** `this.F` in an operand, directly or under `tf.scalar(...)`/a cast: F. */
function fieldIn(e: ts.Expression): string | undefined {
  let found: string | undefined;
  walk(e, (n) => {
    if (found) return SKIP;
    if (ts.isPropertyAccessExpression(n) && n.expression.kind === ts.SyntaxKind.ThisKeyword) {
      found = n.name.text;
      return SKIP;
    }
    return undefined;
  });
  return found;
}

/** The multiply or divide by a field in the method's body: the field and whether it divides. */
function scalingIn(m: ts.MethodDeclaration): { field: string; divides: boolean } | undefined {
  let out: { field: string; divides: boolean } | undefined;
  walk(m.body!, (n) => {
    if (out) return SKIP;
    if (!ts.isCallExpression(n)) return undefined;
    const name = calleeName(n.expression);
    if (name !== 'mul' && name !== 'div') return undefined;
    const c = unwrap(n.expression);
    const a = n.arguments;
    // `tf.mul(x, this.s)`, `x.mul(this.s)`, `tf.div(x, this.d)`, `x.div(this.d)`
    const pair = a.length === 2 ? [a[0], a[1]] : a.length === 1 && ts.isPropertyAccessExpression(c) ? [c.expression, a[0]] : undefined;
    if (!pair) return undefined;
    const f1 = fieldIn(pair[1]);
    const f0 = name === 'mul' ? fieldIn(pair[0]) : undefined;
    if (f1) out = { field: f1, divides: name === 'div' };
    else if (f0) out = { field: f0, divides: false };
    return undefined;
  });
  return out;
}

/** What the field holds for the object built by `made`: the constructor argument it is set from, or its own value. */
function fieldValue(ix: FileIndex, cls: ts.ClassLikeDeclaration, field: string, made: ts.NewExpression): ts.Expression | undefined {
  const ctor = cls.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m));
  const args = made.arguments ?? [];
  const params = ctor?.parameters ?? ts.factory.createNodeArray<ts.ParameterDeclaration>();
  // `constructor(private readonly factor: number)`
  const own = params.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === field && (ts.getModifiers(p)?.length ?? 0) > 0);
  if (own >= 0) return args[own];
  const assigned = ix.facts.fieldAssigns.find(([name, a]) => name === field && a.node.pos >= cls.pos && a.node.end <= cls.end)?.[1].value;
  if (!assigned) return undefined;
  const v = unwrap(assigned);
  // `this.factor = factor` / `this.scale = config.scale` / `this.s = s` from `{ s }`
  if (ts.isIdentifier(v)) {
    const i = params.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === v.text);
    if (i >= 0) return args[i];
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      if (!ts.isObjectBindingPattern(p.name)) continue;
      const el = p.name.elements.find((x) => ts.isIdentifier(x.name) && x.name.text === v.text);
      const key = el && bindingKey(el);
      const obj = args[i] && unwrap(args[i]);
      if (key && obj && ts.isObjectLiteralExpression(obj)) return configProp(obj, key);
    }
  }
  if (ts.isPropertyAccessExpression(v) && ts.isIdentifier(v.expression)) {
    const i = params.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === (v.expression as ts.Identifier).text);
    const obj = i >= 0 && args[i] ? unwrap(args[i]) : undefined;
    if (obj && ts.isObjectLiteralExpression(obj)) return configProp(obj, v.name.text);
    if (i >= 0) return undefined;
  }
  // computed in the class (`this.scale = 1 / Math.sqrt(headDim)`): the value itself
  return assigned;
}

/**
 * The scale a user-defined layer or scaler applies when `recv.<method>(x)` runs on the scores (`apply` of a
 * layer runs its `call`), or undefined when `recv` is not such an object.
 */
export function customLayerScale(recv: ts.Expression, methodName: string, ix: FileIndex): CustomScale | undefined {
  const made = constructed(recv, ix, 0);
  const ctorName = made && unwrap(made.expression);
  if (!made || !ctorName || !ts.isIdentifier(ctorName)) return undefined;
  const cls = classNamed(ix, ctorName.text);
  if (!cls) return undefined;
  const m = method(ix, cls, methodName === 'apply' ? ['call', 'apply'] : [methodName]);
  const s = m && scalingIn(m);
  const value = s && fieldValue(ix, cls, s.field, made);
  return value && s ? { scale: value, divides: s.divides } : undefined;
}
