// Which local names stand for tfjs and the mup-lens runtime: `import * as tf`, named imports,
// `require` (with destructuring), and local aliases (`const L = tf.layers`, `const { dense } = tf.layers`).
// Names resolve to canonical paths: `tf`, `tf.layers`, `tf.layers.dense`, `mup.MuReadout`.
import ts = require('typescript');
import type { Facts } from './collect';
import { insertAt, propName, unwrap } from './source';
import type { TextEdit } from './types';

const TF_MODULES = new Set(['@tensorflow/tfjs', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-layers']);

export function moduleRoot(spec: string): 'tf' | 'mup' | undefined {
  if (TF_MODULES.has(spec)) return 'tf';
  if (spec === 'mup-lens/runtime' || /(^|\/)mup\/runtime(\.[cm]?[jt]s)?$/.test(spec)) return 'mup';
  return undefined;
}

type ImportSite =
  | { kind: 'named'; node: ts.NamedImports }
  | { kind: 'destructure'; node: ts.ObjectBindingPattern };

export class Bindings {
  /** local name -> canonical path */
  readonly names = new Map<string, string>();
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
      const root = moduleRoot(imp.moduleSpecifier.text);
      const clause = imp.importClause;
      if (!root || !clause) continue;
      if (clause.name) this.names.set(clause.name.text, root);
      const nb = clause.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) this.names.set(nb.name.text, root);
      else if (nb && ts.isNamedImports(nb)) {
        if (!clause.isTypeOnly && !this.sites.has(root)) this.sites.set(root, { kind: 'named', node: nb });
        for (const s of nb.elements) this.names.set(s.name.text, `${root}.${(s.propertyName ?? s.name).text}`);
      }
    }
    for (const r of facts.requires) {
      const root = moduleRoot(r.module);
      if (!root) continue;
      const stmt = r.decl.parent?.parent;
      if (stmt && stmt.parent === sf) this.lastImportEnd = Math.max(this.lastImportEnd, stmt.end);
      this.bindPattern(r.decl.name, root);
      if (ts.isObjectBindingPattern(r.decl.name) && !this.sites.has(root)) this.sites.set(root, { kind: 'destructure', node: r.decl.name });
    }
    // Local aliases, possibly chained (`const L = tf.layers; const D = L.dense`): a few rounds to a fixpoint.
    const aliasDecls = facts.varDecls.filter((d) => d.initializer && isNameChain(d.initializer));
    for (let round = 0; round < 3; round++) {
      let changed = false;
      for (const d of aliasDecls) {
        const path = this.qualify(d.initializer!);
        if (!path) continue;
        if (ts.isIdentifier(d.name) && this.names.get(d.name.text) !== path) {
          this.names.set(d.name.text, path);
          changed = true;
        } else if (ts.isObjectBindingPattern(d.name)) {
          const before = this.names.size;
          this.bindPattern(d.name, path);
          if (this.names.size !== before) changed = true;
        }
      }
      if (!changed) break;
      this.memo.clear();
    }
  }

  private bindPattern(name: ts.BindingName, path: string): void {
    if (ts.isIdentifier(name)) {
      this.names.set(name.text, path);
      return;
    }
    if (!ts.isObjectBindingPattern(name)) return;
    for (const el of name.elements) {
      const key = el.propertyName ? propName(el.propertyName) : ts.isIdentifier(el.name) ? el.name.text : undefined;
      if (key && ts.isIdentifier(el.name)) this.names.set(el.name.text, `${path}.${key}`);
    }
  }

  /** Canonical path of an expression like `tf.layers.dense`, `L.dense`, `dense`; undefined if not tfjs/runtime. */
  qualify(e: ts.Expression): string | undefined {
    e = unwrap(e);
    // Fast reject: most calls in a file (tensor methods, helpers) hang off names that are not tfjs.
    let root: ts.Expression = e;
    while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = root.expression;
    if (!ts.isIdentifier(root) || !this.names.has(root.text)) {
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
    // Down the chain to its root name (a loop: `tf.a.a.a...` can be thousands long), then joined back up.
    const names: string[] = [];
    e = unwrap(e);
    for (;;) {
      if (ts.isPropertyAccessExpression(e)) names.push(e.name.text);
      else if (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression)) names.push(e.argumentExpression.text);
      else break;
      e = unwrap(e.expression);
    }
    let p = ts.isIdentifier(e) ? this.names.get(e.text) : undefined;
    for (let i = names.length - 1; p !== undefined && i >= 0; i--) p = this.join(p, names[i]);
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
      const cache = pathCacheFor(this.names);
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
    return false;
  }

  /**
   * How to write `path` (e.g. `tf.layers.rescaling`) in this file's own import style, plus the edits
   * that add an import specifier when the file has no name for it yet.
   */
  refTo(path: string): { text: string; edits: TextEdit[] } {
    // Asked once per finding's fix, for a handful of paths: worked out once per path.
    let hit = this.refs.get(path);
    if (!hit) this.refs.set(path, (hit = this.refToUncached(path)));
    return { text: hit.text, edits: hit.edits.slice() };
  }

  private readonly refs = new Map<string, { text: string; edits: TextEdit[] }>();

  private refToUncached(path: string): { text: string; edits: TextEdit[] } {
    const parts = path.split('.');
    // Longest prefix that already has a local name.
    for (let i = parts.length; i >= 1; i--) {
      const prefix = parts.slice(0, i).join('.');
      for (const [local, p] of this.names) {
        if (p === prefix) return { text: [local, ...parts.slice(i)].join('.'), edits: [] };
      }
    }
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
    const at = this.lastImportEnd;
    return { text: [local, ...parts.slice(1)].join('.'), edits: [insertAt(sf, at, at === 0 ? `${line}\n` : `\n${line}`)] };
  }
}

const NO_PATH = '\0';
const pathCaches = new Map<string, WeakMap<ts.Node, string>>();

/** The callee-path cache for one set of local names (a few kept: one per file being edited). */
function pathCacheFor(names: Map<string, string>): WeakMap<ts.Node, string> {
  let key = '';
  for (const [k, v] of names) key += `${k}=${v};`;
  let cache = pathCaches.get(key);
  if (cache) pathCaches.delete(key);
  else cache = new WeakMap();
  pathCaches.set(key, cache);
  if (pathCaches.size > 16) pathCaches.delete(pathCaches.keys().next().value as string);
  return cache;
}

function isNameChain(e: ts.Expression): boolean {
  e = unwrap(e);
  while (ts.isPropertyAccessExpression(e)) e = unwrap(e.expression);
  return ts.isIdentifier(e);
}
