// What the attention rule knows about a file's functions: local helpers by name (one level is followed),
// the uses of a local variable, and the value a local name holds where it is used. Built once per file, and
// only when the file has a score product (`matMul` with a transposed key, `batchDot`, `einsum`).
import ts = require('typescript');
import type { Bindings } from '../bindings';
import type { Facts } from '../collect';
import { enclosingClass, enclosingFunction, propName, unwrap, walk, SKIP } from '../source';
import { latestAssignment } from '../values';
import { analysisMemo } from '../memo';

const NO_USES: readonly ts.Identifier[] = [];

export class FileIndex {
  private named: Map<string, ts.FunctionLikeDeclaration[]> | undefined;
  private readonly useMaps = new Map<ts.Node, Map<string, ts.Identifier[]>>();

  constructor(
    readonly facts: Facts,
    readonly b: Bindings,
  ) {}

  /** Local functions by name: declarations, methods, and functions held in a const, a field or a property. */
  private functionsNamed(name: string): ts.FunctionLikeDeclaration[] {
    if (!this.named) {
      this.named = new Map();
      for (const f of this.facts.functions) {
        const n = functionName(f);
        if (n === undefined || !f.body) continue;
        const list = this.named.get(n);
        if (list) list.push(f);
        else this.named.set(n, [f]);
      }
    }
    return this.named.get(name) ?? [];
  }

  /** The local function a call runs (`helper(x)`, `this.helper(x)`), or undefined. */
  resolveCall(call: ts.CallExpression): ts.FunctionLikeDeclaration | undefined {
    const c = unwrap(call.expression);
    if (ts.isIdentifier(c)) {
      if (this.b.qualify(c)) return undefined;
      return this.functionsNamed(c.text).find((f) => !ts.isMethodDeclaration(f));
    }
    if (ts.isPropertyAccessExpression(c) && c.expression.kind === ts.SyntaxKind.ThisKeyword) {
      const list = this.functionsNamed(c.name.text);
      const cls = enclosingClass(call);
      return list.find((f) => enclosingClass(f) === cls) ?? (list.length === 1 ? list[0] : undefined);
    }
    return undefined;
  }

  private callsByName: Map<string, ts.CallExpression[]> | undefined;
  private readonly callers = new Map<ts.FunctionLikeDeclaration, ts.CallExpression[]>();

  /** Calls in the file that run `fn`. */
  callersOf(fn: ts.FunctionLikeDeclaration): ts.CallExpression[] {
    let out = this.callers.get(fn);
    if (out) return out;
    if (!this.callsByName) {
      // one pass over the calls, by the callee's last name (`helper`, `this.helper` -> helper)
      const m = new Map<string, ts.CallExpression[]>();
      for (const c of this.facts.calls) {
        if (!ts.isCallExpression(c)) continue;
        const e = unwrap(c.expression);
        const n = ts.isIdentifier(e) ? e.text : ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword ? e.name.text : undefined;
        if (n === undefined) continue;
        const list = m.get(n);
        if (list) list.push(c);
        else m.set(n, [c]);
      }
      this.callsByName = m;
    }
    const name = functionName(fn);
    out = name === undefined ? [] : (this.callsByName.get(name) ?? []).filter((c) => this.resolveCall(c) === fn);
    this.callers.set(fn, out);
    return out;
  }

  /** Identifiers named `name` read in `scope` (a function, or the file) after `after`. */
  usesOf(scope: ts.Node, name: string, after: number): readonly ts.Identifier[] {
    let m = this.useMaps.get(scope);
    if (!m) {
      m = new Map();
      const map = m;
      walk(scope, (n) => {
        if (ts.isTypeNode(n)) return SKIP;
        if (ts.isIdentifier(n) && isRead(n)) {
          const list = map.get(n.text);
          if (list) list.push(n);
          else map.set(n.text, [n]);
        }
        return undefined;
      });
      this.useMaps.set(scope, m);
    }
    // (the list is in source order: the uses from `after` on are its tail, shared when it is the whole list)
    const list = m.get(name);
    if (!list) return NO_USES;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].pos < after) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? list : list.slice(lo);
  }

  /** The value a local name holds at `use`: the last assignment before it, visible from it (a destructured
   * name's binding element only when `bindings`). */
  latest(name: string, use: ts.Node, bindings = false): ts.Expression | undefined {
    const v = latestAssignment(this.facts, name, use);
    return v && !bindings && ts.isBindingElement(v as ts.Node) ? undefined : v;
  }

  /** When `id` reads a parameter of a local helper (no assignment to it in between): the arguments its
   * callers pass there (one level). */
  argumentsFor(id: ts.Identifier): ts.Expression[] {
    // (asked of most names the width model decides: a name no function has as a parameter is answered at once)
    if (!this.paramNames) {
      this.paramNames = new Set();
      for (const p of this.facts.params) this.paramNames.add((p.name as ts.Identifier).text);
    }
    if (!this.paramNames.has(id.text)) return NONE;
    for (let f = enclosingFunction(id); f; f = enclosingFunction(f)) {
      const i = f.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === id.text);
      if (i < 0) continue;
      if (f.parameters[i].dotDotDotToken) return [];
      const out: ts.Expression[] = [];
      for (const c of this.callersOf(f)) if (c.arguments[i]) out.push(c.arguments[i]);
      return out;
    }
    return [];
  }

  private paramNames: Set<string> | undefined;

  /** The expressions a getter `get <name>()` of the class around `from` returns. */
  getterReturns(name: string, from: ts.Node): ts.Expression[] {
    const cls = enclosingClass(from);
    if (!cls) return [];
    for (const m of cls.members) if (ts.isGetAccessorDeclaration(m) && m.name && propName(m.name) === name) return returnsOf(m);
    return [];
  }

  /** Values given to `this.<name>` anywhere in the file. */
  fieldValues(name: string): ts.Expression[] {
    return (this.facts.props.get(name) ?? []).map((a) => a.value).filter((v) => !ts.isBindingElement(v as ts.Node));
  }
}

/** The expressions a function returns (a concise arrow body counts). */
export function returnsOf(fn: ts.FunctionLikeDeclaration): ts.Expression[] {
  const body = fn.body;
  if (!body) return [];
  if (!ts.isBlock(body)) return [body];
  const out: ts.Expression[] = [];
  walk(body, (n) => {
    if (n !== body && (ts.isFunctionLike(n) || ts.isClassLike(n))) return SKIP;
    if (ts.isReturnStatement(n) && n.expression) out.push(n.expression);
    return undefined;
  });
  return out;
}

export function functionName(f: ts.FunctionLikeDeclaration): string | undefined {
  if ((ts.isFunctionDeclaration(f) || ts.isMethodDeclaration(f)) && f.name) return propName(f.name);
  const p = f.parent;
  if (!p) return undefined;
  if ((ts.isVariableDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isPropertyAssignment(p)) && p.initializer === f && p.name && !ts.isArrayBindingPattern(p.name) && !ts.isObjectBindingPattern(p.name)) return propName(p.name as ts.PropertyName);
  if (ts.isBinaryExpression(p) && p.right === f && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const l = p.left;
    if (ts.isIdentifier(l)) return l.text;
    if (ts.isPropertyAccessExpression(l)) return l.name.text;
  }
  return undefined;
}

/** An identifier that reads a variable (not a property name, a declaration's name or a parameter). */
function isRead(n: ts.Identifier): boolean {
  const p = n.parent;
  if (!p) return false;
  if (ts.isPropertyAccessExpression(p) && p.name === n) return false;
  if ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isBindingElement(p) || ts.isFunctionDeclaration(p) || ts.isClassDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isPropertyAssignment(p)) && p.name === n) return false;
  if (ts.isBinaryExpression(p) && p.left === n && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) return false;
  return true;
}

const NONE: ts.Expression[] = [];
const cache = analysisMemo<Facts, FileIndex>();

export function fileIndex(facts: Facts, b: Bindings): FileIndex {
  let ix = cache.get(facts);
  if (!ix || ix.b !== b) cache.set(facts, (ix = new FileIndex(facts, b)));
  return ix;
}
