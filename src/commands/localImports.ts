// The files a run of a model reads: the model's file and the local files it imports, transitively (relative
// specifiers only; packages come from node_modules and are never unsaved editor buffers). A run saves these and
// nothing else (issue 23.4: a check of mlp/sp.ts must not save gpt/sp.ts). Pure (no vscode): unit-tested.
import * as path from 'node:path';

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"\n]*)\1/gm;
const EXTS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

/** The relative module specifiers of a source text (`./layers`, `../data/corpus.js`). */
export function relativeSpecifiers(text: string): string[] {
  return [...new Set([...text.matchAll(SPECIFIER)].map((m) => m[2]!))];
}

/** Candidate files for a specifier as TypeScript and Node resolve it (`./x.js` may be `./x.ts`). */
export function candidates(fromFile: string, specifier: string): string[] {
  const base = path.resolve(path.dirname(fromFile), specifier);
  const out = [base];
  const ext = path.extname(base);
  if (EXTS.includes(ext)) {
    const stem = base.slice(0, -ext.length);
    // TypeScript's ESM convention: `import './x.js'` names x.ts.
    if (ext === '.js' || ext === '.jsx') out.push(stem + '.ts', stem + '.tsx');
    if (ext === '.mjs') out.push(stem + '.mts');
    if (ext === '.cjs') out.push(stem + '.cts');
  } else {
    out.push(...EXTS.map((e) => base + e), ...EXTS.map((e) => path.join(base, 'index' + e)));
  }
  return out;
}

/**
 * The entry file and every local file it imports, transitively. `read(file)` gives a file's text (an editor's
 * unsaved buffer first, else the disk), or undefined when there is no such file.
 */
export function localImportClosure(entry: string, read: (file: string) => string | undefined): string[] {
  const seen = new Set<string>([path.resolve(entry)]);
  const queue = [path.resolve(entry)];
  while (queue.length) {
    const file = queue.shift()!;
    const text = read(file);
    if (text === undefined) continue;
    for (const spec of relativeSpecifiers(text)) {
      for (const c of candidates(file, spec)) {
        if (seen.has(c)) break;
        if (read(c) !== undefined) {
          seen.add(c);
          queue.push(c);
          break;
        }
      }
    }
  }
  return [...seen];
}
