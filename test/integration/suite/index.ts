// Entry of the extension-host test tier (`extensionTestsPath`): VS Code requires this file inside the
// extension host and awaits `run()`. It runs every `*.test.js` bundled next to it (one per
// test/integration/suite/*.test.ts, see runTest.ts) with mocha, and reports the counts in a form the
// runner outside the host reads back: a `MUP_LENS_RESULT {...}` console line and, when
// MUP_LENS_RESULT_FILE is set, the same JSON in that file.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

export interface HostResult {
  passed: number;
  failed: number;
  pending: number;
  failures: string[];
}

/** Mocha's spec output (it logs through console.log, which the host relays), plus the result line. */
class ResultReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const failures: string[] = [];
    runner.on('fail', (t, err: Error) => failures.push(`${t.fullTitle()}: ${err?.message ?? err}`));
    runner.once('end', () => {
      const s = runner.stats ?? { passes: 0, failures: failures.length, pending: 0 };
      const result: HostResult = { passed: s.passes, failed: s.failures, pending: s.pending, failures };
      const file = process.env.MUP_LENS_RESULT_FILE;
      if (file) writeFileSync(file, JSON.stringify(result, null, 2));
      console.log(`MUP_LENS_RESULT ${JSON.stringify({ passed: result.passed, failed: result.failed, pending: result.pending })}`);
    });
  }
}

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'tdd',
    color: false,
    // Per test. The first tests also wait for the language features to warm up on a busy 2-core machine.
    timeout: 30_000,
    reporter: ResultReporter,
  });
  const grep = process.env.MUP_LENS_GREP;
  if (grep) mocha.grep(grep);
  // MUP_LENS_SUITE=restricted: the session without workspace trust runs restricted/*.test.js instead.
  const dir = process.env.MUP_LENS_SUITE === 'restricted' ? join(__dirname, 'restricted') : __dirname;
  const files = readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort();
  if (files.length === 0) return Promise.reject(new Error(`no *.test.js in ${dir}: bundle the suite first (runTest.ts does)`));
  for (const f of files) mocha.addFile(join(dir, f));
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} host test(s) failed`)) : resolve()));
    } catch (err) {
      reject(err);
    }
  });
}
