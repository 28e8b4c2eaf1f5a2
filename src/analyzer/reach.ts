// How a file reaches tfjs when it does not import it by name: the browser global `tf` (a <script> tag, a
// worker's `importScripts(<CDN URL>)`, a side-effect `import '<CDN URL>'`, `const tf = self.tf`), a
// namespace passed in (a parameter, a destructured property, a field `this.tf`), a dynamic
// `import()` of @tensorflow/tfjs (or of a URL that names the package), a re-export through a local module
// (`import { tf } from '../tf'`). Syntax only, so the rule is about names and uses: a name counts as tfjs
// when how it is bound says so (a tfjs source, a `typeof TF` type of a tfjs import) or when it is bound in a
// way that could hold a namespace (a parameter, a field, a relative import of `tf`, no binding at all for
// `tf`) and its uses look like tfjs's own API (`x.layers.dense(...)`, `x.sequential()`, `x.train.adam()`,
// `x.matMul(...)`): the `mx` of an MLX binding (`mx.fast.scaledDotProductAttention`,
// `mx.reshape`) or a term-frequency map `tf` (`tf.get(word)`) is not.
import ts = require('typescript');
import type { Facts } from './collect';
import { chainRoot, GLOBAL_OBJECTS, looks, tfPackageOf } from './reachApi';
import { depthOf, enclosingFunction, isAncestor, unwrap } from './source';

/** One binding of a local name to tfjs: where it holds (a function, or the whole file) and how, in words. */
export interface ReachBinding {
  /** The function the name is bound in; undefined: the whole file. */
  scope: ts.Node | undefined;
  how: string;
}

/** What a value assigned to a name is, as a tfjs source. */
interface Source {
  /** 'tf': a tfjs source (how in `how`); 'neutral': null/undefined; 'other': something else. */
  kind: 'tf' | 'neutral' | 'other';
  how: string[];
  /** A tfjs name it copies (`this.tf = tf`): the name. */
  alias?: string;
}


export class Reach {
  /** New local names that stand for tfjs (or one of its members: `layers` -> `tf.layers`). */
  readonly names = new Map<string, string>();
  readonly how = new Map<string, ReachBinding[]>();
  /** Fields (`this.tf`) that hold the tfjs namespace: field -> path; and how, in words. */
  readonly fields = new Map<string, string>();
  readonly fieldHow = new Map<string, string>();

  constructor(
    private readonly facts: Facts,
    /** Names bound by static imports and requires: local -> path. */
    private readonly known: Map<string, string>,
    private readonly knownHow: Map<string, ReachBinding[]>,
    /** Type-only imports of tfjs (`import type TF from '@tensorflow/tfjs'`): local -> path. */
    private readonly typeNames: Map<string, string>,
  ) {
    const { roots, asMember, fields, loose } = this.evidence();
    const typed = new Set<string>();
    for (const p of facts.params) {
      if (ts.isIdentifier(p.name) && !known.has(p.name.text) && this.typedTf(p.type)) typed.add(p.name.text);
    }
    const candidates = new Set([...roots, ...typed, ...loose]);
    for (const r of candidates) this.classify(r, asMember.has(r), roots.has(r) || typed.has(r));
    this.noteRebinding();
    this.findFields(fields);
  }

  /** The file's `import(...)` calls. */
  private readonly dynamicImports: ts.CallExpression[] = [];

  private isTf(name: string): boolean {
    return this.known.has(name) || this.names.has(name);
  }

  /**
   * The roots and fields whose uses look like tfjs's API; and `loose` candidates, which need a binding that
   * says tfjs by itself: `tf.anything(...)` (the global, if nothing binds `tf`), a name given a dynamic import.
   */
  private evidence(): { roots: Set<string>; asMember: Set<string>; fields: Set<string>; loose: Set<string> } {
    const roots = new Set<string>();
    const asMember = new Set<string>();
    const fields = new Set<string>();
    const loose = new Set<string>();
    // Per call: the chain's names into one scratch array, innermost last (no allocation per call; most calls
    // are `model.add(...)`, `x.shape`-like chains off names that are not tfjs).
    const m: string[] = [];
    const see = (callee: ts.Expression): void => {
      let n = 0;
      let e = unwrap(callee);
      while (ts.isPropertyAccessExpression(e)) {
        m[n++] = e.name.text;
        e = unwrap(e.expression);
      }
      if (n === 0) return;
      // m[n-1] is the first member after the root.
      if (ts.isIdentifier(e)) {
        const r = e.text;
        if (this.known.has(r)) return;
        if (r === 'tf') loose.add(r);
        if (looks(m[n - 1], n >= 2 ? m[n - 2] : undefined)) roots.add(r);
        else if (looks(r, m[n - 1])) {
          roots.add(r);
          asMember.add(r);
        }
      } else if (e.kind === ts.SyntaxKind.ThisKeyword && n >= 2 && looks(m[n - 2], n >= 3 ? m[n - 3] : undefined)) fields.add(m[n - 1]);
    };
    // A file that imports tfjs by name: no other name is taken for tfjs from its uses alone (a keystroke's
    // cost, and precision); dynamic imports and fields assigned a tfjs name still count.
    let full = true;
    for (const p of this.known.values()) if (p === 'tf' || p.startsWith('tf.')) full = false;
    const IMPORT = ts.SyntaxKind.ImportKeyword;
    for (const call of this.facts.calls) {
      if (!full) {
        if (call.expression.kind !== IMPORT || !ts.isCallExpression(call)) continue;
      } else if (!ts.isCallExpression(call)) continue;
      if (call.expression.kind === IMPORT) {
        this.dynamicImports.push(call);
        const target = assignedName(call);
        if (target) loose.add(target);
      } else see(call.expression);
    }
    if (full) for (const cls of this.facts.classes) {
      const ext = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
      if (ext) see(ext);
    }
    return { roots, asMember, fields, loose };
  }

  /** `typeof TF` (TF a tfjs import, type-only or not), `typeof import()` of a tfjs package. */
  private typedTf(t: ts.TypeNode | undefined): boolean {
    if (!t) return false;
    if (ts.isTypeQueryNode(t)) {
      let n: ts.EntityName = t.exprName;
      while (ts.isQualifiedName(n)) n = n.left;
      return this.typeNames.get(n.text) === 'tf' || this.known.get(n.text) === 'tf';
    }
    if (ts.isImportTypeNode(t) && t.isTypeOf && ts.isLiteralTypeNode(t.argument) && ts.isStringLiteral(t.argument.literal)) {
      return tfPackageOf(t.argument.literal.text) !== undefined && !t.qualifier;
    }
    return false;
  }

  /** How `r` is bound, and whether that makes it tfjs. */
  private classify(r: string, asMember: boolean, usedLikeTfjs: boolean): void {
    const path = asMember ? `tf.${r}` : 'tf';
    const what = asMember ? `\`${r}\` of tfjs` : 'tfjs';
    // An import or require of another module: a re-export of `tf` through a local module, or not tfjs.
    for (const imp of this.facts.imports) {
      const spec = ts.isStringLiteral(imp.moduleSpecifier) ? imp.moduleSpecifier.text : '';
      const clause = imp.importClause;
      if (!clause) continue;
      const locals: [string, string][] = [];
      if (clause.name) locals.push([clause.name.text, 'default']);
      const nb = clause.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) locals.push([nb.name.text, '*']);
      else if (nb) for (const s of nb.elements) locals.push([s.name.text, (s.propertyName ?? s.name).text]);
      const hit = locals.find(([l]) => l === r);
      if (!hit) continue;
      if (clause.isTypeOnly || !usedLikeTfjs || !isRelative(spec) || !(isTfName(r) || isTfName(hit[1]))) return;
      this.bind(r, 'tf', undefined, `re-exported \`${hit[1] === '*' || hit[1] === 'default' ? r : hit[1]}\` from ${spec} (its uses are tfjs's API)`);
      return;
    }
    for (const q of this.facts.requires) {
      if (!ts.isIdentifier(q.decl.name) || q.decl.name.text !== r) continue;
      if (!usedLikeTfjs || !isRelative(q.module) || !isTfName(r)) return;
      this.bind(r, 'tf', enclosingFunction(q.decl), `re-exported \`${r}\` from require('${q.module}') (its uses are tfjs's API)`);
      return;
    }
    // A local function or class of that name: not a namespace.
    for (const f of this.facts.functions) if ((ts.isFunctionDeclaration(f) || ts.isFunctionExpression(f)) && f.name?.text === r) return;
    for (const c of this.facts.classes) if (c.name?.text === r) return;

    const bindings: ReachBinding[] = [];
    let other = false;
    let declared = false;
    // Declarations (`const tf = self.tf`, `let tf = tfjs`) and later assignments (`tf = await import(...)`).
    const decls: ReachBinding[] = [];
    const later: string[] = [];
    let declScope: ts.Node | undefined;
    for (const a of this.facts.assigns.get(r) ?? []) {
      if (ts.isParameter(a.node)) continue;
      if (ts.isBindingElement(a.node)) {
        declared = true;
        // `const { dense } = tf.layers` is an alias (bindings.ts); a destructured parameter or object is a namespace passed in.
        const decl = bindingDecl(a.node);
        if (decl && ts.isVariableDeclaration(decl) && decl.initializer && this.rootIsTf(decl.initializer)) continue;
        if (!usedLikeTfjs) continue;
        bindings.push({ scope: a.fn, how: `destructured property \`${r}\` passed in (its uses are ${what}'s API)` });
        continue;
      }
      const isDecl = ts.isVariableDeclaration(a.node);
      if (isDecl) {
        declared = true;
        declScope = a.fn;
      }
      const s = this.sourceOf(a.value);
      if (s.kind === 'tf') {
        const how = s.alias ? `${this.howOf(s.alias, a.node)} (as \`${s.alias}\`)` : s.how.join(' or ');
        if (isDecl) decls.push({ scope: a.fn, how });
        else later.push(how);
      } else if (s.kind === 'other') other = true;
    }
    const rebound = later.length > 0 ? `, re-bound to ${later.join(' or ')}` : '';
    for (const d of decls) bindings.push({ scope: d.scope, how: d.how + rebound });
    if (decls.length === 0 && later.length > 0) bindings.push({ scope: declScope, how: later.join(' or ') });
    for (const p of this.facts.params) {
      if (!ts.isIdentifier(p.name) || p.name.text !== r) continue;
      declared = true;
      if (!usedLikeTfjs) continue;
      const typed = this.typedTf(p.type);
      bindings.push({ scope: p.parent, how: `namespace passed in as parameter \`${r}\`${typed ? ' (typed with tfjs\'s types)' : ` (its uses are ${what}'s API)`}` });
    }
    if (bindings.length > 0) {
      for (const b of bindings) this.bind(r, path, b.scope, b.how);
      return;
    }
    if (other || declared || r !== 'tf') return;
    // Not bound anywhere in the file: the page's (or worker's) global `tf`.
    this.bind(r, 'tf', undefined, `browser global \`tf\`${this.globalLoader()}`);
  }

  private bind(name: string, path: string, scope: ts.Node | undefined, how: string): void {
    this.names.set(name, path);
    let list = this.how.get(name);
    if (!list) this.how.set(name, (list = []));
    list.push({ scope, how });
  }

  private rootIsTf(e: ts.Expression): boolean {
    const root = chainRoot(e);
    return root !== undefined && ts.isIdentifier(root) && this.isTf(root.text);
  }

  /** What loads the global: a worker's importScripts, a side-effect import of the CDN bundle. */
  private globalLoader(): string {
    const bundles: string[] = [];
    for (const imp of this.facts.imports) {
      if (!imp.importClause && ts.isStringLiteral(imp.moduleSpecifier) && tfPackageOf(imp.moduleSpecifier.text)) bundles.push(`'${imp.moduleSpecifier.text}'`);
    }
    if (bundles.length > 0) return ` (set by import ${bundles.join(', ')})`;
    for (const c of this.facts.calls) {
      if (ts.isCallExpression(c) && ts.isIdentifier(c.expression) && c.expression.text === 'importScripts') {
        const url = c.arguments.find((a) => ts.isStringLiteralLike(a) && tfPackageOf(a.text));
        if (url) return ` (set by importScripts('${(url as ts.StringLiteral).text}'))`;
      }
    }
    return '';
  }

  /** A value as a tfjs source: require, dynamic import, the global object's `tf`, a tfjs name, a helper returning a dynamic import. */
  private sourceOf(e: ts.Expression, depth = 0): Source {
    e = unwrap(e);
    if (ts.isAwaitExpression(e)) return this.sourceOf(e.expression, depth);
    if (ts.isConditionalExpression(e)) return merge(this.sourceOf(e.whenTrue, depth), this.sourceOf(e.whenFalse, depth));
    if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.BarBarToken || e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) {
      return merge(this.sourceOf(e.left, depth), this.sourceOf(e.right, depth));
    }
    if (e.kind === ts.SyntaxKind.NullKeyword) return { kind: 'neutral', how: [] };
    if (ts.isIdentifier(e)) {
      if (e.text === 'undefined') return { kind: 'neutral', how: [] };
      if (this.isTf(e.text)) return { kind: 'tf', how: [], alias: e.text };
      return { kind: 'other', how: [] };
    }
    if (ts.isPropertyAccessExpression(e) && e.name.text === 'tf' && ts.isIdentifier(e.expression) && GLOBAL_OBJECTS.has(e.expression.text)) {
      return { kind: 'tf', how: [`browser global \`tf\` (read as ${e.expression.text}.tf${this.globalLoader().replace(/^ \(/, ', ').replace(/\)$/, '')})`] };
    }
    if (ts.isCallExpression(e)) {
      const arg = e.arguments[0];
      const spec = arg && ts.isStringLiteralLike(arg) ? arg.text : undefined;
      if (e.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const pkg = spec !== undefined ? tfPackageOf(spec) : undefined;
        return pkg ? { kind: 'tf', how: [`dynamic import of ${spec}`] } : { kind: 'other', how: [] };
      }
      if (ts.isIdentifier(e.expression) && e.expression.text === 'require') {
        return spec !== undefined && tfPackageOf(spec) ? { kind: 'tf', how: [`require('${spec}')`] } : { kind: 'other', how: [] };
      }
      // A local helper that returns a dynamic import of tfjs (`const tf = await loadTensorFlow()`).
      if (depth === 0 && ts.isIdentifier(e.expression)) {
        const helper = this.helperImport(e.expression.text);
        if (helper) return { kind: 'tf', how: [`dynamic import of ${helper} (in ${e.expression.text}())`] };
      }
    }
    return { kind: 'other', how: [] };
  }

  private helperImport(name: string): string | undefined {
    for (const c of this.dynamicImports) {
      const arg = c.arguments[0];
      if (!arg || !ts.isStringLiteralLike(arg) || !tfPackageOf(arg.text)) continue;
      for (let p: ts.Node | undefined = c.parent; p; p = p.parent) if (ts.isFunctionDeclaration(p) && p.name?.text === name) return arg.text;
    }
    return undefined;
  }

  /** A static binding re-bound later (`tf = await import()` of tfjs-node-gpu): said in its `how`. */
  private noteRebinding(): void {
    for (const [name, list] of this.knownHow) {
      const later: string[] = [];
      for (const a of this.facts.assigns.get(name) ?? []) {
        if (!ts.isBinaryExpression(a.node)) continue;
        const s = this.sourceOf(a.value);
        if (s.kind === 'tf') later.push(...s.how);
      }
      if (later.length > 0) for (const b of list) b.how += `, re-bound to ${later.join(' or ')}`;
    }
  }

  /** Fields that hold the namespace: assigned a tfjs source or name, typed `typeof TF`, or used like tfjs. */
  private findFields(used: Set<string>): void {
    const candidates = new Set(used);
    // `this.x = <a tfjs name>`, `this.x = await import(...)`, `this.x = self.tf`: checked cheaply first.
    for (const [prop, a] of this.facts.fieldAssigns) if (this.maybeTfValue(a.value)) candidates.add(prop);
    for (const p of this.facts.params) {
      if (ts.isIdentifier(p.name) && p.modifiers?.some((m) => m.kind !== ts.SyntaxKind.Decorator)) candidates.add(p.name.text);
    }
    for (const f of candidates) {
      let how: string | undefined;
      for (const [prop, a] of this.facts.fieldAssigns) {
        if (prop !== f) continue;
        const s = this.sourceOf(a.value);
        if (s.kind !== 'tf') continue;
        if (s.alias) how = `${this.howOf(s.alias, a.node)}, kept in \`this.${f}\``;
        else how = `${s.how.join(' or ')}, kept in \`this.${f}\``;
        break;
      }
      if (!how) {
        const pp = this.facts.params.find((p) => ts.isIdentifier(p.name) && p.name.text === f && p.modifiers?.length && ts.isConstructorDeclaration(p.parent));
        if (pp && (this.typedTf(pp.type) || used.has(f))) how = `namespace passed in as parameter \`${f}\` of the constructor, kept in \`this.${f}\``;
      }
      if (!how && used.has(f)) how = `namespace in the field \`this.${f}\` (its uses are tfjs's API)`;
      if (!how && this.typedField(f)) how = `namespace in the field \`this.${f}\` (typed with tfjs's types)`;
      if (!how) continue;
      this.fields.set(f, 'tf');
      this.fieldHow.set(f, how);
    }
  }

  /** A value that could be a tfjs source (sourceOf says for sure): a tfjs name, `x.tf`, import/require/a helper call. */
  private maybeTfValue(e: ts.Expression): boolean {
    e = unwrap(e);
    if (ts.isAwaitExpression(e)) e = unwrap(e.expression);
    if (ts.isIdentifier(e)) return this.isTf(e.text);
    if (ts.isPropertyAccessExpression(e)) return e.name.text === 'tf';
    if (ts.isCallExpression(e)) return e.expression.kind === ts.SyntaxKind.ImportKeyword || ts.isIdentifier(e.expression);
    if (ts.isConditionalExpression(e)) return this.maybeTfValue(e.whenTrue) || this.maybeTfValue(e.whenFalse);
    if (ts.isBinaryExpression(e)) return this.maybeTfValue(e.left) || this.maybeTfValue(e.right);
    return false;
  }

  private typedField(f: string): boolean {
    if (this.typeNames.size === 0 && this.known.size === 0) return false;
    for (const c of this.facts.classes) {
      for (const m of c.members) {
        if (ts.isPropertyDeclaration(m) && m.name && ts.isIdentifier(m.name) && m.name.text === f && this.typedTf(m.type)) return true;
      }
    }
    return false;
  }

  /** How a tfjs name is bound where `at` is (its innermost binding around `at`). */
  howOf(name: string, at: ts.Node | undefined): string {
    const list = this.how.get(name) ?? this.knownHow.get(name);
    if (!list || list.length === 0) return 'tfjs';
    return innermost(list, at).how;
  }
}

/** The binding whose scope is the innermost around `at` (the file-wide one when none is). */
export function innermost(list: readonly ReachBinding[], at: ts.Node | undefined): ReachBinding {
  let best: ReachBinding | undefined;
  let bestDepth = -1;
  for (const b of list) {
    let d: number;
    if (!b.scope) d = 0;
    else if (at && isAncestor(b.scope, at)) d = depthOf(b.scope) + 1; // deeper than the file-wide 0
    else continue;
    if (d > bestDepth) {
      best = b;
      bestDepth = d;
    }
  }
  return best ?? list[0];
}

function merge(a: Source, b: Source): Source {
  if (a.kind === 'tf' || b.kind === 'tf') {
    const how = [...(a.kind === 'tf' ? a.how : []), ...(b.kind === 'tf' ? b.how : [])];
    return { kind: 'tf', how, alias: a.alias ?? b.alias };
  }
  return { kind: a.kind === 'other' || b.kind === 'other' ? 'other' : 'neutral', how: [] };
}

/** The name a dynamic import is assigned to (`const tf = await import(...)`, `tf = cond ? await import(a) : ...`). */
function assignedName(call: ts.CallExpression): string | undefined {
  let n: ts.Node = call;
  while (n.parent && (ts.isAwaitExpression(n.parent) || ts.isParenthesizedExpression(n.parent) || ts.isConditionalExpression(n.parent) || ts.isAsExpression(n.parent))) n = n.parent;
  const p = n.parent;
  if (p && ts.isVariableDeclaration(p) && p.initializer === n && ts.isIdentifier(p.name)) return p.name.text;
  if (p && ts.isBinaryExpression(p) && p.right === n && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(p.left)) return p.left.text;
  return undefined;
}

function isRelative(spec: string): boolean {
  return spec.startsWith('.') || spec.startsWith('/');
}

function isTfName(n: string): boolean {
  return /^(tf|tfjs|tensorflow)$/i.test(n);
}


/** The declaration (variable or parameter) a binding element is part of. */
function bindingDecl(el: ts.BindingElement): ts.Node | undefined {
  let p: ts.Node = el.parent;
  while (p && (ts.isObjectBindingPattern(p) || ts.isArrayBindingPattern(p) || ts.isBindingElement(p))) p = p.parent;
  return p;
}
