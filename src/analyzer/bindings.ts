// Which local names stand for tfjs and the mup-lens runtime: `import * as tf`, named imports,
// `require` (with destructuring), and local aliases (`const L = tf.layers`, `const { dense } = tf.layers`);
// and, from reach.ts, tfjs reached otherwise (the browser global, a namespace passed in or kept in a field
// `this.tf`, a dynamic import, a re-export). Names resolve to canonical paths: `tf`, `tf.layers`,
// `tf.layers.dense`, `mup.MuReadout`; each binding also says, in words, how it reaches tfjs (the hover).
import ts = require('typescript');
import type { Facts } from './collect';
import { innermost, Reach, type ReachBinding } from './reach';
import { tfPackageOf } from './reachApi';
import { bindingKey, enclosingClass, enclosingFunction, insertAt, isAncestor, unwrap } from './source';
import type { TextEdit } from './types';

const TF_MODULES = new Set(['@tensorflow/tfjs', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-layers']);

export function moduleRoot(spec: string): 'tf' | 'mup' | undefined {
  if (TF_MODULES.has(spec)) return 'tf';
  // An ES module build of tfjs from a CDN (`import * as tf from 'https://cdn.jsdelivr.net/npm/@tensorflow/tfjs@4/+esm'`).
  if (tfPackageOf(spec) && !/-core(@|\/|$)/.test(spec)) return 'tf';
  if (spec === 'mup-lens/runtime' || /(^|\/)mup\/runtime(\.[cm]?[jt]s)?$/.test(spec)) return 'mup';
  return undefined;
}

type ImportSite =
  | { kind: 'named'; node: ts.NamedImports }
  | { kind: 'destructure'; node: ts.ObjectBindingPattern };

export class Bindings {
  /** local name -> canonical path */
  readonly names = new Map<string, string>();
  /** Fields that hold tfjs (`this.tf = tf`, `this.tf = await import(...)`): field -> canonical path. */
  readonly fields = new Map<string, string>();
  /** Type-only imports (`import type TF from '@tensorflow/tfjs'`): names for types, not values. */
  readonly typeNames = new Map<string, string>();
  /** How each local name reaches tfjs or the runtime, per scope it is bound in. */
  private readonly how = new Map<string, ReachBinding[]>();
  private fieldHow = new Map<string, string>();
  /** Names bound by a (value) static import: the ones that also name tfjs's types. */
  private readonly importNames = new Set<string>();
  /** Where a named specifier can be added, per module root. */
  private readonly sites = new Map<'tf' | 'mup', ImportSite>();
  private lastImportEnd = 0;
  private readonly memo = new Map<ts.Node, string | undefined>();

  constructor(
    private readonly facts: Facts,
    /** The tree shares nodes with an earlier parse, so the callee-path cache can hit (else it is skipped). */
    private readonly reparse = true,
  ) {
    const sf = facts.sf;
    for (const imp of facts.imports) {
      if (!ts.isStringLiteral(imp.moduleSpecifier)) continue;
      this.lastImportEnd = Math.max(this.lastImportEnd, imp.end);
      const spec = imp.moduleSpecifier.text;
      const root = moduleRoot(spec);
      const clause = imp.importClause;
      if (!root || !clause) continue;
      const how = `static import of ${spec}`;
      const bind = (local: string, path: string, typeOnly: boolean): void => {
        if (typeOnly) this.typeNames.set(local, path);
        else {
          this.setName(local, path, undefined, how);
          this.importNames.add(local);
        }
      };
      if (clause.name) bind(clause.name.text, root, clause.isTypeOnly);
      const nb = clause.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) bind(nb.name.text, root, clause.isTypeOnly);
      else if (nb && ts.isNamedImports(nb)) {
        if (!clause.isTypeOnly && !this.sites.has(root)) this.sites.set(root, { kind: 'named', node: nb });
        for (const s of nb.elements) bind(s.name.text, `${root}.${(s.propertyName ?? s.name).text}`, clause.isTypeOnly || s.isTypeOnly);
      }
    }
    for (const r of facts.requires) {
      const root = moduleRoot(r.module);
      if (!root) continue;
      const stmt = r.decl.parent?.parent;
      if (stmt && stmt.parent === sf) this.lastImportEnd = Math.max(this.lastImportEnd, stmt.end);
      this.bindPattern(r.decl.name, root, enclosingFunction(r.decl), `require('${r.module}')`);
      if (ts.isObjectBindingPattern(r.decl.name) && !this.sites.has(root)) this.sites.set(root, { kind: 'destructure', node: r.decl.name });
    }
    // Compiled CommonJS: a require wrapped by the compiler's interop helper (tsc's
    // `const tf_1 = __importStar(require(<tfjs>))`, babel's `_interopRequireWildcard(require(...))`,
    // esbuild's `__toESM(require(...))`) is the module itself.
    for (const d of facts.varDecls) {
      const arg = interopArgument(d.initializer!);
      const req = arg && ts.isCallExpression(arg) && ts.isIdentifier(arg.expression) && arg.expression.text === 'require' && arg.arguments.length === 1 && ts.isStringLiteralLike(arg.arguments[0]) ? arg.arguments[0].text : undefined;
      const root = req !== undefined ? moduleRoot(req) : undefined;
      if (!root || !ts.isIdentifier(d.name)) continue;
      const callee = unwrap((unwrap(d.initializer!) as ts.CallExpression).expression).getText(sf);
      this.setName(d.name.text, root, enclosingFunction(d), `require('${req}') through ${callee}()`);
    }
    // tfjs reached otherwise (the global, a namespace passed in, a field, a dynamic import): only where some
    // call of the file hangs off a name that is not tfjs already (or a parameter is typed with tfjs's types).
    const reach = new Reach(facts, this.names, this.how, this.typeNames);
    for (const [local, path] of reach.names) {
      if (this.names.has(local)) continue;
      this.names.set(local, path);
      this.how.set(local, reach.how.get(local)!);
    }
    for (const [f, path] of reach.fields) this.fields.set(f, path);
    this.fieldHow = reach.fieldHow;
    // Local aliases, possibly chained (`const L = tf.layers; const D = L.dense`): a few rounds to a fixpoint.
    // (rollup's `var tf__namespace = _interopNamespace(tf)` is an alias of `tf` too)
    const aliasDecls = facts.varDecls.filter((d) => d.initializer && (isNameChain(d.initializer) || isNameChain(interopArgument(d.initializer))));
    for (let round = 0; round < 3; round++) {
      let changed = false;
      for (const d of aliasDecls) {
        const of = isNameChain(d.initializer!) ? d.initializer! : interopArgument(d.initializer!)!;
        const path = this.qualify(of);
        if (!path) continue;
        const how = this.reachedBy(of) ?? 'a local alias';
        if (ts.isIdentifier(d.name)) {
          // (a name bound elsewhere already, `tf` a parameter of the constructor, gets this scope's binding too)
          if (this.names.get(d.name.text) !== path) changed = true;
          this.setName(d.name.text, path, enclosingFunction(d), how);
        } else if (ts.isObjectBindingPattern(d.name)) {
          const before = this.names.size;
          this.bindPattern(d.name, path, enclosingFunction(d), how);
          if (this.names.size !== before) changed = true;
        }
      }
      if (!changed) break;
      this.memo.clear();
    }
  }

  private bindPattern(name: ts.BindingName, path: string, scope: ts.Node | undefined, how: string): void {
    if (ts.isIdentifier(name)) {
      this.setName(name.text, path, scope, how);
      return;
    }
    if (!ts.isObjectBindingPattern(name)) return;
    for (const el of name.elements) {
      const key = bindingKey(el);
      if (key && ts.isIdentifier(el.name)) this.setName(el.name.text, `${path}.${key}`, scope, how);
    }
  }

  private setName(local: string, path: string, scope: ts.Node | undefined, how: string): void {
    this.names.set(local, path);
    const list = this.how.get(local);
    if (!list) this.how.set(local, [{ scope, how }]);
    else if (!list.some((b) => b.scope === scope)) list.push({ scope, how });
  }

  /** Whether the file reaches tfjs or the runtime at all. */
  get isEmpty(): boolean {
    return this.names.size === 0 && this.fields.size === 0;
  }

  /**
   * How the expression's root name (`tf` of `tf.layers.dense`, `this.tf` of `this.tf.layers.dense`) reaches
   * tfjs or the runtime where it is used, in words ("static import of @tensorflow/tfjs", "browser global
   * \`tf\`", ...); undefined when it is not a tfjs name.
   */
  reachedBy(e: ts.Expression, at: ts.Node = e): string | undefined {
    e = unwrap(e);
    let last: string | undefined;
    while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
      if (ts.isPropertyAccessExpression(e)) last = e.name.text;
      else last = ts.isStringLiteralLike(e.argumentExpression) ? e.argumentExpression.text : undefined;
      e = unwrap(e.expression);
    }
    if (e.kind === ts.SyntaxKind.ThisKeyword) return last !== undefined ? this.fieldHow.get(last) : undefined;
    if (!ts.isIdentifier(e)) return undefined;
    const list = this.how.get(e.text);
    return list && list.length > 0 ? innermost(list, at).how : undefined;
  }

  /** How the file reaches tfjs, for a layer whose constructor is not a tfjs name (a custom layer class). */
  get tfReach(): string | undefined {
    for (const [local, p] of this.names) if (p === 'tf' || p.startsWith('tf.')) return this.how.get(local)?.[0]?.how;
    return this.fieldHow.values().next().value;
  }

  /** Canonical path of an expression like `tf.layers.dense`, `L.dense`, `dense`; undefined if not tfjs/runtime. */
  qualify(e: ts.Expression): string | undefined {
    e = unwrap(e);
    // Fast reject: most calls in a file (tensor methods, helpers) hang off names that are not tfjs.
    let root: ts.Expression = e;
    while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = root.expression;
    if (root.kind === ts.SyntaxKind.ThisKeyword) {
      if (this.fields.size === 0) return undefined;
    } else if (!ts.isIdentifier(root) || !this.names.has(root.text)) {
      if (!ts.isParenthesizedExpression(root) && !ts.isAsExpression(root) && !ts.isNonNullExpression(root)) return undefined;
    }
    const hit = this.memo.get(e);
    if (hit !== undefined || this.memo.has(e)) return hit;
    const r = this.path(e);
    this.memo.set(e, r);
    return r;
  }

  /** `qualify` below the top: inner expressions are not memoised (each is asked for once per callee). */
  private path(e: ts.Expression): string | undefined {
    // Down the chain to its root name (a loop: `tf.a.a.a...` can be thousands long), then joined back up. (One
    // scratch list for every call: nothing below calls back into `path`.)
    const names = PATH_NAMES;
    names.length = 0;
    e = unwrap(e);
    for (;;) {
      if (ts.isPropertyAccessExpression(e)) names.push(e.name.text);
      else if (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression)) names.push(e.argumentExpression.text);
      else break;
      e = unwrap(e.expression);
    }
    let p: string | undefined;
    let top = names.length - 1;
    if (ts.isIdentifier(e)) p = this.names.get(e.text);
    else if (e.kind === ts.SyntaxKind.ThisKeyword && top >= 0) p = this.fields.get(names[top--]);
    for (let i = top; p !== undefined && i >= 0; i--) p = this.join(p, names[i]);
    return p;
  }

  // `tf.layers` + `dense` -> one shared `tf.layers.dense` string per file, not one per call site.
  private readonly joins = new Map<string, Map<string, string>>();
  private join(prefix: string, name: string): string {
    let m = this.joins.get(prefix);
    if (!m) this.joins.set(prefix, (m = new Map()));
    let s = m.get(name);
    if (s === undefined) m.set(name, (s = `${prefix}.${name}`));
    return s;
  }

  private paths: (string | undefined)[] | undefined;

  /** Canonical path of each call's callee in `facts.calls` (same index), computed once. */
  get callPaths(): (string | undefined)[] {
    if (!this.paths && !this.reparse) {
      // A fresh tree: no node can be in the cache, and filling it costs more than it saves later (the first
      // keystroke fills it instead).
      this.paths = this.facts.calls.map((c) => this.qualify(c.expression));
    }
    if (!this.paths) {
      // A callee's path depends only on its own syntax and on `names`: on a keystroke, the calls of the
      // statements the incremental parse kept are the same node objects, so their paths are reused as long
      // as the file's names stand for the same things.
      const cache = pathCacheFor(this.names, this.fields);
      this.paths = this.facts.calls.map((c) => {
        const hit = cache.get(c);
        if (hit !== undefined) return hit === NO_PATH ? undefined : hit;
        const p = this.qualify(c.expression);
        cache.set(c, p ?? NO_PATH);
        return p;
      });
    }
    return this.paths;
  }

  has(root: 'tf' | 'mup'): boolean {
    for (const v of this.names.values()) if (v === root || v.startsWith(root + '.')) return true;
    for (const v of this.fields.values()) if (v === root || v.startsWith(root + '.')) return true;
    return false;
  }

  /**
   * How to write `path` (e.g. `tf.layers.rescaling`) in this file's own import style, plus the edits
   * that add an import specifier when the file has no name for it yet.
   */
  refTo(path: string, at?: ts.Node): { text: string; edits: TextEdit[] } {
    // Asked once per finding's fix, for a handful of paths: worked out once per path (and place).
    const key = at ? undefined : path;
    let hit = key !== undefined ? this.refs.get(key) : undefined;
    if (!hit) {
      hit = this.refToUncached(path, at);
      if (key !== undefined) this.refs.set(key, hit);
    }
    return { text: hit.text, edits: hit.edits.slice() };
  }

  private readonly refs = new Map<string, { text: string; edits: TextEdit[] }>();

  /**
   * How well the local name serves where `at` is (without `at`: anywhere): 3 bound in a function around
   * `at`, 2 bound for the whole file, 0.5 bound in some function (no `at` to say which), 0 not there; a field
   * (`this.tf`) inside a class ranks 1.
   */
  private rank(local: string, at: ts.Node | undefined, typePath: boolean): number {
    const list = this.how.get(local);
    // A type (`as tf.Tensor`): an import names it; a file-wide name (the global `tf`, a require) may; a
    // parameter or field never does.
    if (typePath) return this.importNames.has(local) ? 2 : list?.some((b) => !b.scope) ? 1 : 0;
    if (!list || list.length === 0) return 2;
    let best = 0;
    for (const b of list) {
      if (!b.scope) best = Math.max(best, 2);
      else if (at && isAncestor(b.scope, at)) best = 3;
      else if (!at) best = Math.max(best, 0.5);
    }
    return best;
  }

  private refToUncached(path: string, at?: ts.Node): { text: string; edits: TextEdit[] } {
    const parts = path.split('.');
    const typePath = isTypePath(path);
    // Longest prefix that already has a name where the fix goes: a local in scope, the file's own import,
    // `this.tf` inside a class (a namespace kept in a field), a parameter of some function (no place given).
    let fallback: { text: string; rank: number } | undefined;
    for (let i = parts.length; i >= 1; i--) {
      const prefix = parts.slice(0, i).join('.');
      const rest = parts.slice(i);
      let best: { text: string; rank: number } | undefined;
      const consider = (text: string, rank: number): void => {
        if (rank > 0 && (!best || rank > best.rank)) best = { text, rank };
      };
      for (const [local, p] of this.names) if (p === prefix) consider([local, ...rest].join('.'), this.rank(local, at, typePath));
      if (typePath) for (const [local, p] of this.typeNames) if (p === prefix) consider([local, ...rest].join('.'), 2.5);
      if (!typePath) for (const [f, p] of this.fields) if (p === prefix && (!at || enclosingClass(at))) consider(['this', f, ...rest].join('.'), 1);
      const b = best as { text: string; rank: number } | undefined;
      if (b && b.rank >= 1) return { text: b.text, edits: [] };
      if (b && (!fallback || b.rank > fallback.rank)) fallback = b;
    }
    if (fallback) return { text: fallback.text, edits: [] };
    const root = parts[0] as 'tf' | 'mup';
    const sf = this.facts.sf;
    const site = this.sites.get(root);
    const first = parts[1];
    if (site && first) {
      const els = site.node.elements;
      const text = parts.slice(1).join('.');
      if (els.length > 0) return { text, edits: [insertAt(sf, els[els.length - 1].end, `, ${first}`)] };
      return { text, edits: [insertAt(sf, site.node.getStart(sf) + 1, ` ${first} `)] };
    }
    // No import of the module at all: add a namespace import after the last import.
    const spec = root === 'tf' ? '@tensorflow/tfjs' : 'mup-lens/runtime';
    const local = root === 'tf' ? 'tf' : 'mup';
    const isJsRequire = this.facts.requires.length > 0 && this.facts.imports.length === 0;
    const line = isJsRequire ? `const ${local} = require('${spec}');` : `import * as ${local} from '${spec}';`;
    const end = this.lastImportEnd;
    return { text: [local, ...parts.slice(1)].join('.'), edits: [insertAt(sf, end, end === 0 ? `${line}\n` : `\n${line}`)] };
  }
}

const NO_PATH = '\0';
const PATH_NAMES: string[] = [];
const pathCaches = new Map<string, WeakMap<ts.Node, string>>();

/** The callee-path cache for one set of local names (a few kept: one per file being edited). */
function pathCacheFor(names: Map<string, string>, fields: Map<string, string>): WeakMap<ts.Node, string> {
  let key = '';
  for (const [k, v] of names) key += `${k}=${v};`;
  for (const [k, v] of fields) key += `this.${k}=${v};`;
  let cache = pathCaches.get(key);
  if (cache) pathCaches.delete(key);
  else cache = new WeakMap();
  pathCaches.set(key, cache);
  if (pathCaches.size > 16) pathCaches.delete(pathCaches.keys().next().value as string);
  return cache;
}

function isNameChain(e: ts.Expression | undefined): boolean {
  if (!e) return false;
  e = unwrap(e);
  while (ts.isPropertyAccessExpression(e)) e = unwrap(e.expression);
  return ts.isIdentifier(e) || e.kind === ts.SyntaxKind.ThisKeyword;
}

/** Compilers' module interop helpers: tsc/tslib, babel, rollup, esbuild (`__importStar`, `_interopRequireWildcard`,
 *  `_interopNamespace`, `_interopNamespaceDefault`, `__toESM`), called bare or as `tslib.__importStar`. */
const INTEROP = /^_*(?:importStar|interopRequireWildcard|interopNamespace\w*|toESM)$/;

/** The module a compiler's interop call wraps (`__importStar(require("m"))`: the `require("m")`). */
function interopArgument(e: ts.Expression): ts.Expression | undefined {
  const u = unwrap(e);
  if (!ts.isCallExpression(u) || u.arguments.length === 0) return undefined;
  const c = unwrap(u.expression);
  const name = ts.isIdentifier(c) ? c.text : ts.isPropertyAccessExpression(c) ? c.name.text : undefined;
  return name !== undefined && INTEROP.test(name) ? unwrap(u.arguments[0]) : undefined;
}

/** The function a declaration is in (undefined: the top level of the file). */

/** Paths that name a type (written after `as` or `:`), for which a type-only import serves. */
function isTypePath(path: string): boolean {
  return /^tf\.(Tensor\d?D?|Tensor|Rank|Scalar|SymbolicTensor|LayersModel|Sequential)$/.test(path);
}
