// Parsing and positions. Syntax only: `ts.createSourceFile`, never a Program or a type checker, so a
// keystroke costs one parse (incremental when the same file was analysed just before) and one walk.
import ts = require('typescript');
import { pushChildren } from './children';
import type { Range, TextEdit } from './types';
import { analysisMemo } from './memo';

export function scriptKindOf(fileName: string): ts.ScriptKind {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (lower.endsWith('.jsx')) return ts.ScriptKind.JSX;
  if (/\.(js|mjs|cjs)$/.test(lower)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

interface Cached {
  text: string;
  sf: ts.SourceFile;
}

// The last few files analysed, for incremental re-parsing on keystrokes (what tsserver does).
const cache = new Map<string, Cached>();
const CACHE_SIZE = 16;

/** Trees that share nodes with an earlier parse (an incremental update, or the same text again). */
const reparsed = new WeakSet<ts.SourceFile>();

/** Whether `sf` may hold nodes of an earlier parse: only then can per-node caches hit. */
export function isReparse(sf: ts.SourceFile): boolean {
  return reparsed.has(sf);
}

export function parse(text: string, fileName: string, incremental = true): ts.SourceFile {
  const prev = incremental ? cache.get(fileName) : undefined;
  let sf: ts.SourceFile | undefined;
  if (prev && prev.text === text) sf = prev.sf;
  else if (prev) {
    try {
      sf = ts.updateSourceFile(prev.sf, text, changeRange(prev.text, text));
    } catch {
      sf = undefined;
    }
  }
  if (sf) reparsed.add(sf);
  // JSDoc is never read by the rules: skip parsing it (what tsc does for files it only needs to emit).
  if (!sf) sf = ts.createSourceFile(fileName, text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, false, scriptKindOf(fileName));
  if (incremental) {
    cache.delete(fileName);
    cache.set(fileName, { text, sf });
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  }
  return sf;
}

/** The smallest span that differs between two texts (common prefix and suffix removed). */
export function changeRange(oldText: string, newText: string): ts.TextChangeRange {
  const max = Math.min(oldText.length, newText.length);
  // Whole blocks first (a string comparison is a memory compare), then character by character: a keystroke
  // in a 60 KB file is otherwise 120,000 charCodeAt calls.
  const BLOCK = 512;
  let p = 0;
  while (p + BLOCK <= max && oldText.slice(p, p + BLOCK) === newText.slice(p, p + BLOCK)) p += BLOCK;
  while (p < max && oldText.charCodeAt(p) === newText.charCodeAt(p)) p++;
  let s = 0;
  const ol = oldText.length;
  const nl = newText.length;
  while (s + BLOCK <= max - p && oldText.slice(ol - s - BLOCK, ol - s) === newText.slice(nl - s - BLOCK, nl - s)) s += BLOCK;
  while (s < max - p && oldText.charCodeAt(ol - 1 - s) === newText.charCodeAt(nl - 1 - s)) s++;
  return ts.createTextChangeRange(ts.createTextSpan(p, ol - p - s), nl - p - s);
}

/** Offsets where lines start, as TypeScript counts them (\n, \r\n, \r, U+2028, U+2029), without a parse. */
export function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) starts.push(i + 1);
  }
  return starts;
}

/** 0-based line and character of an offset, from `lineStartsOf` (or a source file's line starts). */
export function lineAt(starts: readonly number[], pos: number): { line: number; character: number } {
  const line = lineIndex(starts, pos);
  return { line, character: pos - starts[line]! };
}

export function posOf(sf: ts.SourceFile, offset: number): { line: number; column: number } {
  const lc = sf.getLineAndCharacterOfPosition(offset);
  return { line: lc.line + 1, column: lc.character + 1 };
}

export function rangeOf(sf: ts.SourceFile, node: ts.Node): Range {
  // (one object, not five: asked for every layer and finding, 15,000 times on the bench's mixed corpus; the
  // line found by binary search on the file's line starts, as getLineAndCharacterOfPosition finds it)
  const starts = sf.getLineStarts();
  const start = node.getStart(sf);
  const a = lineIndex(starts, start);
  const b = lineIndex(starts, node.end);
  return { line: a + 1, column: start - starts[a] + 1, endLine: b + 1, endColumn: node.end - starts[b] + 1 };
}

/** The 0-based line holding `pos` (the last line start at or before it). */
function lineIndex(starts: readonly number[], pos: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function insertAt(sf: ts.SourceFile, offset: number, newText: string): TextEdit {
  const p = posOf(sf, offset);
  return { line: p.line, column: p.column, endLine: p.line, endColumn: p.column, newText };
}

export function replaceNode(sf: ts.SourceFile, node: ts.Node, newText: string): TextEdit {
  // field by field, not `{...rangeOf(), newText}`: V8 builds spread objects slowly and large (src/analyzer/index.ts)
  const r = rangeOf(sf, node);
  return { line: r.line, column: r.column, endLine: r.endLine, endColumn: r.endColumn, newText };
}

/** Leading whitespace of the line holding `offset`. */
export function indentAt(sf: ts.SourceFile, offset: number): string {
  const line = sf.getLineAndCharacterOfPosition(offset).line;
  const start = sf.getLineStarts()[line];
  const m = /^[ \t]*/.exec(sf.text.slice(start, start + 200));
  return m ? m[0] : '';
}

// Kind tables: these helpers run on every step of every parent walk, and a chain of `ts.isX` calls or
// `case ts.SyntaxKind.X` labels costs a property load per test.
const WRAPPER = 1;
const FUNCTION = 2;
const KIND = new Uint8Array(ts.SyntaxKind.Count);
for (const k of [ts.SyntaxKind.ParenthesizedExpression, ts.SyntaxKind.AsExpression, ts.SyntaxKind.NonNullExpression, ts.SyntaxKind.TypeAssertionExpression, ts.SyntaxKind.SatisfiesExpression]) KIND[k] = WRAPPER;
for (const k of [ts.SyntaxKind.FunctionDeclaration, ts.SyntaxKind.FunctionExpression, ts.SyntaxKind.ArrowFunction, ts.SyntaxKind.MethodDeclaration, ts.SyntaxKind.Constructor, ts.SyntaxKind.GetAccessor, ts.SyntaxKind.SetAccessor]) KIND[k] = FUNCTION;

/** Strips parentheses, `as`, `!` and `<T>` casts. */
export function unwrap(e: ts.Expression): ts.Expression {
  while (KIND[e.kind] === WRAPPER) e = (e as ts.ParenthesizedExpression).expression;
  return e;
}

/** The parent, skipping parentheses and casts. */
export function outerParent(n: ts.Node): { node: ts.Node; child: ts.Node } {
  let child = n;
  let p = n.parent;
  while (p && KIND[p.kind] === WRAPPER) {
    child = p;
    p = p.parent;
  }
  return { node: p, child };
}

export function isFunctionLike(n: ts.Node): n is ts.FunctionLikeDeclaration {
  return KIND[n.kind] === FUNCTION;
}

export function enclosingFunction(n: ts.Node): ts.FunctionLikeDeclaration | undefined {
  for (let p = n.parent; p; p = p.parent) if (KIND[p.kind] === FUNCTION) return p as ts.FunctionLikeDeclaration;
  return undefined;
}

export function enclosingClass(n: ts.Node): ts.ClassLikeDeclaration | undefined {
  for (let p = n.parent; p; p = p.parent) if (ts.isClassDeclaration(p) || ts.isClassExpression(p)) return p;
  return undefined;
}

/** How many ancestors a node has (0 for the source file). */
export function depthOf(n: ts.Node): number {
  let d = 0;
  for (let p = n.parent; p; p = p.parent) d++;
  return d;
}

export function isAncestor(anc: ts.Node, n: ts.Node): boolean {
  for (let p: ts.Node | undefined = n; p; p = p.parent) if (p === anc) return true;
  return false;
}

/** What a `walk` visitor returns to stay out of a node's children, or to end the walk. */
export const SKIP = 1;
export const STOP = 2;

/** Reverses `a[from..]` in place (children pushed in order, to be popped in order). */
export function reverseTail<T>(a: T[], from: number): void {
  for (let i = from, j = a.length - 1; i < j; i++, j--) {
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

/**
 * `root` and its descendants in source order (pre-order), with an explicit stack: a tree as deep as the
 * parser accepts (a long `a + b + ...` chain is a tree thousands deep) cannot overflow the call stack.
 */
export function walk(root: ts.Node, visit: (n: ts.Node) => number | void): void {
  const stack: ts.Node[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    const r = visit(n);
    if (r === STOP) return;
    if (r === SKIP) continue;
    const from = stack.length;
    pushChildren(n, stack);
    reverseTail(stack, from);
  }
}

/** Name of a property name node (`a`, `'a'`, `["a"]`). */
/** The property a destructuring element reads: `{ a: b }` -> a, `{ a }` -> a. */
export function bindingKey(el: ts.BindingElement): string | undefined {
  return el.propertyName ? propName(el.propertyName) : ts.isIdentifier(el.name) ? el.name.text : undefined;
}

export function propName(n: ts.PropertyName | ts.MemberName): string | undefined {
  if (ts.isIdentifier(n)) return n.escapedText as string; // equals .text unless it starts with `__`
  if (ts.isPrivateIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n)) return n.text;
  if (ts.isComputedPropertyName(n) && ts.isStringLiteralLike(n.expression)) return n.expression.text;
  return undefined;
}

/** The value of `key` in an object literal (`{key: v}` or shorthand `{key}`). */
export function configProp(obj: ts.ObjectLiteralExpression | undefined, key: string): ts.Expression | undefined {
  if (!obj) return undefined;
  let props = configCache.get(obj);
  if (!props) {
    // Layer configs are asked for several keys each: index an object literal once.
    props = new Map();
    for (const p of obj.properties) {
      if (ts.isPropertyAssignment(p)) {
        const n = propName(p.name);
        if (n !== undefined && !props.has(n)) props.set(n, p.initializer);
      } else if (ts.isShorthandPropertyAssignment(p) && !props.has(p.name.text)) props.set(p.name.text, p.name);
    }
    configCache.set(obj, props);
  }
  return props.get(key);
}

const configCache = analysisMemo<ts.ObjectLiteralExpression, Map<string, ts.Expression>>();

export function configPropNode(obj: ts.ObjectLiteralExpression | undefined, key: string): ts.ObjectLiteralElementLike | undefined {
  if (!obj) return undefined;
  return obj.properties.find((p) => (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && p.name && propName(p.name) === key);
}

/** Last segment of a callee (`tf.layers.dense` -> `dense`, `x.mul` -> `mul`). */
export function calleeName(e: ts.Expression): string | undefined {
  e = unwrap(e);
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return undefined;
}
