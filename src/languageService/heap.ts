// The V8 setting the analyzer's own processes run with: allocation-site pretenuring off.
//
// V8 watches where objects are allocated, and when most objects of one allocation site survive a young-generation
// collection it starts allocating that site's objects in the old generation. TypeScript's parser makes every syntax
// node at a handful of sites; while the analyzer works on a tree, that tree survives the scavenges that fall in the
// analysis, so V8 concludes that nodes live long and pretenures them. From then on every later file's tree, which
// dies right after its analysis, is allocated in the old generation and freed only by full collections. On the lint
// bench (60 files a corpus, analysis CPU time over a bare parse's) it decided so in most runs, and the analysis cost
// 3.1x (mixed corpus) and 3.9x (GPT-style) a parse; with pretenuring off, 1.9-2.0x and 2.5x, the findings the same
// (issue 24; docs/architecture.md). `mup-lens lint` and the language server (whose analysis thread shares its process's
// settings) turn it off for their process. The ESLint plugin runs inside ESLint's process and leaves its settings alone.
import { setFlagsFromString } from 'node:v8';

let tuned = false;

/** Turns V8's allocation-site pretenuring off for this process (once; never throws). */
export function tuneHeapForAnalysis(): void {
  if (tuned) return;
  tuned = true;
  try {
    setFlagsFromString('--no-allocation-site-pretenuring');
  } catch {
    // a runtime without the flag: the analysis is the same, only slower
  }
}
