// The extension-host test tier: `node --import tsx test/integration/runTest.ts` (npm run test:integration).
// Standard @vscode/test-electron layout: runTests() loads this repository as an unpackaged extension into a
// real VS Code with the fixture workspace open, and runs test/integration/suite (mocha, in the host).
//
// Which VS Code (env MUP_LENS_VSCODE):
//   desktop      VS Code downloaded by @vscode/test-electron (needs update.code.visualstudio.com, and a
//                display on Linux: run under xvfb-run there);
//   code-server  scripts/vscode-launcher.mjs as the executable: code-server from .tools/ (install it with
//                scripts/setup-vscode-tools.sh) driven by headless Chromium;
//   unset        desktop when the download works, else code-server.
// Always writes test-results/integration.json {passed, failed, ...}; anything that stops the tests from
// running (missing tools, a crashed or hung host) counts as a failure with a message saying what to do.
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';

const root = join(__dirname, '..', '..');
const results = join(root, 'test-results');
const summaryFile = join(results, 'integration.json');
// Per run: the bundled suite and scratch copies of the fixture workspace (inside the repository, so that
// `@tensorflow/tfjs` resolves). Two runs in one working tree (several engineers, one checkout) then do not
// pull each other's files away. Removed at the end (MUP_LENS_KEEP_RUN=1 keeps it).
const runDir = join(root, '.vscode-test', `run-${process.pid}`);
const screenshotDir = join(results, 'screenshots');
const suiteSrc = join(root, 'test/integration/suite');
const suiteOut = join(runDir, 'suite');
const fixtureWorkspace = join(root, 'test/fixtures/workspace');
const launcher = join(root, 'scripts/vscode-launcher.mjs');
const toolsManifest = join(process.env.MUP_LENS_TOOLS_DIR ?? join(root, '.tools'), 'tools.json');

interface Summary {
  passed: number;
  failed: number;
  pending?: number;
  vscode?: string;
  activationMs?: number;
  seconds?: number;
  error?: string;
}

const started = Date.now();
function writeSummary(s: Summary): void {
  mkdirSync(results, { recursive: true });
  s.seconds = Math.round((Date.now() - started) / 100) / 10;
  writeFileSync(summaryFile, `${JSON.stringify(s, null, 2)}\n`);
}

class Failure extends Error {}

/** Bundles each suite file for the host: `vscode` is the host's, mocha and typescript load from node_modules. */
async function bundleSuite(): Promise<void> {
  rmSync(suiteOut, { recursive: true, force: true });
  const tests = (dir: string) => readdirSync(join(suiteSrc, dir)).filter((f) => f.endsWith('.test.ts')).map((f) => join(suiteSrc, dir, f));
  await esbuild.build({
    entryPoints: [join(suiteSrc, 'index.ts'), ...tests('.'), ...tests('restricted')],
    outbase: suiteSrc,
    outdir: suiteOut,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'mocha', 'typescript'],
    logLevel: 'warning',
  });
}

function ensureExtensionBuilt(): void {
  const main = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).main as string;
  if (existsSync(join(root, main))) return;
  console.log(`${main} is missing: building (npm run build)`);
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(join(root, main))) throw new Failure(`npm run build did not produce ${main}`);
}

async function canDownloadVSCode(): Promise<string | undefined> {
  try {
    await Promise.race([
      lookup('update.code.visualstudio.com'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('DNS lookup timed out')), 5_000)),
    ]);
  } catch (err) {
    return `update.code.visualstudio.com is unreachable (${(err as Error).message})`;
  }
  return undefined;
}

function checkCodeServerTools(): void {
  if (!existsSync(toolsManifest) && !process.env.MUP_LENS_TOOLS_DIR) {
    // A newcomer's first `npm test` on a machine without VS Code downloads: install the pinned tools now
    // (idempotent, npm registry only) rather than fail; the script says what is missing if it cannot.
    console.log('code-server is not installed yet: running scripts/setup-vscode-tools.sh (~3 min, once)');
    spawnSync('bash', [join(root, 'scripts/setup-vscode-tools.sh')], { cwd: root, stdio: 'inherit' });
  }
  if (!existsSync(toolsManifest)) {
    throw new Failure(
      `code-server is not installed (${toolsManifest} is missing).\n` +
        '  Install it once (~3 min, needs the npm registry): scripts/setup-vscode-tools.sh\n' +
        '  and Chromium and gssapi headers: apt-get install -y chromium libkrb5-dev pkg-config',
    );
  }
}

/** The executable runTests starts, and what it is. */
async function chooseVSCode(): Promise<{ executable: string; kind: string }> {
  const forced = process.env.MUP_LENS_VSCODE;
  if (forced !== undefined && forced !== 'code-server' && forced !== 'desktop') {
    throw new Failure(`MUP_LENS_VSCODE=${forced}: use "code-server", "desktop", or leave it unset (automatic)`);
  }
  if (forced !== 'code-server') {
    const unreachable = await canDownloadVSCode();
    if (!unreachable) {
      try {
        const executable = await downloadAndUnzipVSCode({ version: 'stable', timeout: 30_000 });
        if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
          console.log('warning: no DISPLAY for VS Code desktop; run under `xvfb-run -a`, or set MUP_LENS_VSCODE=code-server');
        }
        return { executable, kind: 'VS Code desktop' };
      } catch (err) {
        if (forced === 'desktop') throw new Failure(`MUP_LENS_VSCODE=desktop, but VS Code could not be downloaded: ${(err as Error).message}`);
        console.log(`VS Code desktop could not be downloaded (${(err as Error).message}); using code-server`);
      }
    } else if (forced === 'desktop') {
      throw new Failure(`MUP_LENS_VSCODE=desktop, but ${unreachable}`);
    } else {
      console.log(`${unreachable}: using code-server (set MUP_LENS_VSCODE=desktop|code-server to choose)`);
    }
  }
  checkCodeServerTools();
  const tools = JSON.parse(readFileSync(toolsManifest, 'utf8')) as { codeServerVersion?: string };
  return { executable: launcher, kind: `code-server ${tools.codeServerVersion ?? '?'}` };
}

/** Passes the host's output through while picking out the lines the suite prints for this runner. */
class Scanner extends Writable {
  activationMs?: number;
  result?: { passed: number; failed: number; pending?: number };
  private partial = '';
  constructor(private readonly out: NodeJS.WritableStream) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.out.write(chunk);
    const lines = (this.partial + chunk.toString()).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      const r = /MUP_LENS_RESULT (\{.*\})/.exec(line);
      if (r) this.result = JSON.parse(r[1]);
      const a = /MUP_LENS_ACTIVATION_MS ([\d.]+)/.exec(line);
      if (a) this.activationMs = Number(a[1]);
    }
    cb();
  }
}

/** Removes run folders left by runs that were killed outright (their process is gone). */
function pruneStaleRuns(): void {
  const base = join(root, '.vscode-test');
  if (!existsSync(base)) return;
  for (const name of readdirSync(base)) {
    const pid = Number(/^(?:run|code-server)-(\d+)$/.exec(name)?.[1]);
    if (!pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      rmSync(join(base, name), { recursive: true, force: true });
    }
  }
}

interface SessionResult {
  passed: number;
  failed: number;
  pending: number;
  activationMs?: number;
  error?: string;
}

/**
 * One VS Code session: a fresh copy of the fixture workspace, the suite chosen by `suite`, counts read back
 * from the host. A session that never reports counts as one failure, with a message saying why.
 */
async function runSession(executable: string, kind: string, suite: 'main' | 'restricted'): Promise<SessionResult> {
  const sessionDir = join(runDir, suite);
  const workspace = join(sessionDir, 'workspace'); // the folder's name is what the window title shows
  const resultFile = join(sessionDir, 'host-result.json');
  mkdirSync(sessionDir, { recursive: true });
  cpSync(fixtureWorkspace, workspace, { recursive: true });

  const stdout = new Scanner(process.stdout);
  let exitCode = 0;
  try {
    await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: root,
      extensionTestsPath: join(suiteOut, 'index.js'),
      launchArgs: [workspace],
      extensionTestsEnv: {
        MUP_LENS_RESULT_FILE: resultFile,
        // Only the code-server launcher takes screenshots; with VS Code desktop the screenshot test skips.
        ...(kind.startsWith('code-server') ? { MUP_LENS_SCREENSHOT_DIR: screenshotDir } : {}),
        MUP_LENS_SUITE: suite,
        // Read by scripts/vscode-launcher.mjs: start code-server with workspace trust on (untrusted folder).
        MUP_LENS_WORKSPACE_TRUST: suite === 'restricted' ? '1' : '',
      },
      stdout,
    });
  } catch (err) {
    // runTests rejects on a non-zero exit: failed tests, or a host that never reported.
    exitCode = (err as { code?: number }).code ?? 1;
  }

  const reported = existsSync(resultFile)
    ? (JSON.parse(readFileSync(resultFile, 'utf8')) as { passed: number; failed: number; pending?: number })
    : stdout.result;
  if (!reported) {
    const error =
      `${kind} (${suite} session) exited (code ${exitCode}) before the host tests reported results: it failed to ` +
      'start, the extension host crashed or the suite did not load, or the run hit its timeout (see the lines above' +
      `${kind.startsWith('code-server') ? `, and ${relative(root, screenshotDir)}/final-${suite}.png if it was taken` : ''})`;
    console.error(`\nintegration tier: ${error}`);
    return { passed: 0, failed: 1, pending: 0, error };
  }
  let failed = reported.failed;
  if (exitCode !== 0 && failed === 0) {
    console.error(`the host (${suite} session) reported no failures but exited ${exitCode}: counted as one failure`);
    failed = 1;
  }
  return { passed: reported.passed, failed, pending: reported.pending ?? 0, activationMs: stdout.activationMs };
}

async function main(): Promise<number> {
  pruneStaleRuns();
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  rmSync(screenshotDir, { recursive: true, force: true });
  mkdirSync(screenshotDir, { recursive: true });
  ensureExtensionBuilt();
  await bundleSuite();
  const { executable, kind } = await chooseVSCode();

  // Restricted mode needs a host with workspace trust on: runTests always passes --disable-workspace-trust
  // to VS Code desktop, but the code-server launcher can leave trust on (MUP_LENS_WORKSPACE_TRUST).
  // MUP_LENS_SESSIONS=main skips the restricted session (quicker while iterating on the main suite).
  const wanted = (process.env.MUP_LENS_SESSIONS ?? 'main,restricted').split(',').map((x) => x.trim());
  const unknown = wanted.filter((x) => x !== 'main' && x !== 'restricted');
  if (unknown.length) throw new Failure(`MUP_LENS_SESSIONS: unknown session ${unknown.join(', ')} (use main and/or restricted)`);
  const suites = (['main', 'restricted'] as const).filter(
    (x) => wanted.includes(x) && (x === 'main' || kind.startsWith('code-server')),
  );
  if (suites.length === 0) throw new Failure(`MUP_LENS_SESSIONS=${process.env.MUP_LENS_SESSIONS}: no session left to run with ${kind}`);
  const sessions: SessionResult[] = [];
  for (const suite of suites) {
    console.log(`\nextension-host tests (${suite} session) in ${kind}`);
    sessions.push(await runSession(executable, kind, suite));
  }
  const sum = (k: 'passed' | 'failed' | 'pending') => sessions.reduce((n, r) => n + r[k], 0);
  const activationMs = sessions[0].activationMs;
  const errors = sessions.map((r) => r.error).filter(Boolean);
  writeSummary({
    passed: sum('passed'),
    failed: sum('failed'),
    pending: sum('pending'),
    vscode: kind,
    activationMs,
    ...(errors.length ? { error: errors.join('\n') } : {}),
  });
  if (activationMs !== undefined) console.log(`extension activation: ${activationMs} ms`);
  const shots = existsSync(screenshotDir) ? readdirSync(screenshotDir).filter((f) => f.endsWith('.png')) : [];
  if (shots.length) console.log(`screenshots: ${shots.map((f) => relative(root, join(screenshotDir, f))).join(', ')}`);
  console.log(`integration sessions: ${sessions.map((r, i) => `${suites[i]} ${r.passed} passed, ${r.failed} failed`).join('; ')}`);
  return sum('failed') === 0 && sum('passed') > 0 ? 0 : 1;
}

function removeRunDir(): void {
  if (process.env.MUP_LENS_KEEP_RUN !== '1') rmSync(runDir, { recursive: true, force: true });
}

function fail(err: unknown): never {
  const message = err instanceof Failure ? err.message : `integration runner failed: ${(err as Error)?.stack ?? err}`;
  console.error(`\nintegration tier: ${message}`);
  writeSummary({ passed: 0, failed: 1, error: message });
  removeRunDir();
  process.exit(1);
}

// A last guard over the launcher's own timeout (MUP_LENS_HOST_TIMEOUT_S per session, two sessions at most)
// and VS Code desktop, which has none.
const guardS = 2 * (Number(process.env.MUP_LENS_HOST_TIMEOUT_S ?? 300) + 90);
setTimeout(() => fail(new Failure(`the extension-host tests did not end within ${guardS} s; stopped`)), guardS * 1000).unref();

main().then((code) => {
  removeRunDir();
  process.exit(code);
}, fail);
