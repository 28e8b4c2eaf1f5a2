#!/usr/bin/env node
// Stands in for the VS Code executable where VS Code desktop cannot be downloaded: given to
// @vscode/test-electron's runTests() as `vscodeExecutablePath`, it takes the same arguments
// (--extensionDevelopmentPath=, --extensionTestsPath=, a workspace folder) and runs the extension and its
// tests in code-server (a real VS Code server with a Node extension host), driven by Debian's Chromium
// through playwright-core. How and why: docs/testing.md "Extension-host tier".
//
// - code-server runs on 127.0.0.1, a free port, in its own process group, which is ALWAYS killed
//   (success, failure, timeout, SIGINT/SIGTERM, an exception here).
// - The extension host's console (mocha's output) is relayed to stdout through codeAutomationLog.
// - The exit code is the one the workbench hands to codeAutomationExit (0 all passed, 1 failures);
//   the server's own exit code is always 0 and means nothing.
// - A host console line `MUP_LENS_SCREENSHOT <name>` makes it save the page to
//   $MUP_LENS_SCREENSHOT_DIR/<name>.png (written as .tmp, then renamed); `final-<session>.png` is taken at
//   the end (session: $MUP_LENS_SUITE, default main).
//   `MUP_LENS_SCREENSHOT <name> {"waitFor":[selectors]}` waits for those (page) selectors instead of the
//   default squiggle and quick-fix menu.
// - A host console line `MUP_LENS_WEBVIEW_DOM <name> <selector>` reads what a webview drew: the extension host
//   cannot see webview DOM, but this page can (webviews are nested iframes). It waits (up to 30 s) for a frame
//   whose document matches <selector> (rest of the line, e.g. `#app[data-view="sweep"] .run-status.done`),
//   then writes `#app`'s data attributes and those of each `section[data-parametrization]` as JSON to
//   $MUP_LENS_SCREENSHOT_DIR/<name>.dom.json (.tmp, then renamed): {app, sections, frames}; on timeout
//   {error, seen} with the data attributes of every `#app` it found.
// - A host console line `MUP_LENS_QUICK_INPUT <name> ["answer", ...]` types into the workbench's input boxes as a
//   user would: for each answer in turn it waits (up to 30 s) for a visible quick input whose title differs from
//   the one answered before, records its title, prompt and pre-filled value, replaces the text with the answer and
//   presses Enter; then writes [{title, prompt, value}] to $MUP_LENS_SCREENSHOT_DIR/<name>.input.json (.tmp, then
//   renamed); an input box that never came is an {error} entry there.
// - MUP_LENS_WORKSPACE_TRUST=1 leaves workspace trust on: the folder opens in restricted mode.
//
// Env: MUP_LENS_HOST_TIMEOUT_S (default 300), MUP_LENS_TOOLS_DIR (default <repo>/.tools),
// MUP_LENS_SCREENSHOT_DIR (default <repo>/test-results/screenshots), MUP_LENS_CHROMIUM (default: chromium on PATH),
// MUP_LENS_DEBUG=1 (also print the workbench's own console and the server log).
import { spawn, execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const toolsDir = process.env.MUP_LENS_TOOLS_DIR ?? join(root, '.tools');
const screenshotDir = resolve(process.env.MUP_LENS_SCREENSHOT_DIR ?? join(root, 'test-results/screenshots'));
const timeoutS = Number(process.env.MUP_LENS_HOST_TIMEOUT_S ?? 300);
const debug = process.env.MUP_LENS_DEBUG === '1';
const trustOn = process.env.MUP_LENS_WORKSPACE_TRUST === '1';
/** Names the end-of-run screenshot per session: final-main.png, final-restricted.png. */
const session = /^[\w-]+$/.test(process.env.MUP_LENS_SUITE ?? '') ? process.env.MUP_LENS_SUITE : 'main';
const started = Date.now();

const say = (msg) => process.stderr.write(`[vscode-launcher] ${msg}\n`);

/** Thrown for problems with a clear remedy: printed without a stack. */
class LauncherError extends Error {}

/**
 * The workbench's own log lines that reach codeAutomationLog beside the extension host's console: connection
 * chatter, and the offline machine's failing gallery and sign-in lookups. Shown with MUP_LENS_DEBUG=1.
 */
const WORKBENCH_NOISE = [
  /^\[(AccountPolicyGate|AgentHost[^\]]*|Service Worker|reconnection-grace-time|DefaultAccount|remote-connection)\]/,
  /^(Resolving|Resolved) connection token/,
  /^Creating a socket \(/,
  /^Creation of workbench contribution/,
  /^Updating additional builtin extensions cache/,
  /ENOTFOUND open-vsx\.org/,
  /authentication provider '\w+' to register/,
  /\/static\/out\/vs\/code\/browser\/workbench\/workbench\.js:/, // stack traces of the workbench's own code
];

function parseArgs(argv) {
  const opts = { devPath: undefined, testsPath: undefined, workspace: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (name) => (a.startsWith(`--${name}=`) ? a.slice(name.length + 3) : a === `--${name}` ? argv[++i] : undefined);
    const dev = value('extensionDevelopmentPath');
    const tests = dev === undefined ? value('extensionTestsPath') : undefined;
    if (dev !== undefined) opts.devPath = resolve(dev);
    else if (tests !== undefined) opts.testsPath = resolve(tests);
    else if (value('user-data-dir') !== undefined || value('extensions-dir') !== undefined) {
      // runTests' profile folders: code-server gets fresh ones per run instead.
    } else if (!a.startsWith('-')) opts.workspace = resolve(a);
    // Other VS Code desktop flags (--no-sandbox, --disable-updates, ...) mean nothing to code-server.
  }
  if (!opts.devPath || !opts.testsPath) {
    throw new LauncherError('usage: vscode-launcher --extensionDevelopmentPath=<dir> --extensionTestsPath=<file> [workspace]');
  }
  return opts;
}

function readTools() {
  const manifest = join(toolsDir, 'tools.json');
  if (!existsSync(manifest)) {
    throw new LauncherError(`code-server is not installed (${manifest} is missing): run scripts/setup-vscode-tools.sh (~3 min, once)`);
  }
  const tools = JSON.parse(readFileSync(manifest, 'utf8'));
  // Paths in tools.json are relative to the tools folder (absolute ones, from older setups, stay as they are).
  tools.node = resolve(toolsDir, tools.node);
  tools.codeServerEntry = resolve(toolsDir, tools.codeServerEntry);
  for (const p of [tools.node, tools.codeServerEntry]) {
    if (!existsSync(p)) throw new LauncherError(`${p} is missing: rerun scripts/setup-vscode-tools.sh`);
  }
  return tools;
}

function findChromium() {
  const given = process.env.MUP_LENS_CHROMIUM;
  if (given) {
    if (!existsSync(given)) throw new LauncherError(`MUP_LENS_CHROMIUM=${given}: no such file`);
    return given;
  }
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    } catch {
      // try the next name
    }
  }
  throw new LauncherError('no Chromium found: apt-get install -y chromium (or set MUP_LENS_CHROMIUM to a Chrome/Chromium binary)');
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

// ---- cleanup: every resource registers here; run once, whatever ends the launcher ----
const cleanups = [];
let cleaning;
function cleanup() {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        say(`cleanup: ${err?.message ?? err}`);
      }
    }
  })();
  return cleaning;
}
let serverPgid;
function killServerGroupSync(signal) {
  if (serverPgid === undefined) return;
  try {
    process.kill(-serverPgid, signal);
  } catch {
    // already gone
  }
}
let runDirToRemove;
// Last resort if the launcher dies without running its async cleanup (e.g. an EPIPE on stdout).
process.on('exit', () => {
  killServerGroupSync('SIGKILL');
  if (runDirToRemove) rmSync(runDirToRemove, { recursive: true, force: true });
});
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    stopping = true;
    say(`${sig}: stopping code-server and Chromium`);
    void cleanup().finally(() => process.exit(130));
  });
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function startCodeServer(tools, opts, runDir) {
  const port = await freePort();
  const dataDir = join(runDir, 'user-data');
  const extDir = join(runDir, 'extensions');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(extDir, { recursive: true });
  // An empty config.yaml fails; auth must be off for Chromium to open the workbench directly.
  writeFileSync(join(runDir, 'config.yaml'), 'auth: none\n');
  // A quiet workbench: no chat side bar, tips or update checks covering the editor in screenshots.
  // files.autoSave: VS Code for the Web defaults to afterDelay, which would save the tests' edits (desktop: off).
  mkdirSync(join(dataDir, 'User'), { recursive: true });
  writeFileSync(join(dataDir, 'User', 'settings.json'), JSON.stringify({
    'files.autoSave': 'off',
    // Restricted mode without the modal "Do you trust the authors?" dialog over the editor.
    'security.workspace.trust.startupPrompt': 'never',
    'workbench.startupEditor': 'none',
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'workbench.tips.enabled': false,
    'chat.disableAIFeatures': true,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'editor.minimap.enabled': false,
  }, null, 2));
  const args = [
    tools.codeServerEntry,
    '--config', join(runDir, 'config.yaml'),
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--user-data-dir', dataDir,
    '--extensions-dir', extDir,
    '--disable-telemetry',
    '--disable-update-check',
    // MUP_LENS_WORKSPACE_TRUST=1 (runTest.ts's restricted session): trust stays on, the folder untrusted.
    ...(trustOn ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--vscode-option', 'enable-smoke-test-driver',
  ];
  if (opts.workspace) args.push(opts.workspace);
  const logFile = join(runDir, 'server.log');
  const log = createWriteStream(logFile);
  const child = spawn(tools.node, args, {
    detached: true, // its own process group: the extension host and its helpers die with it
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MUP_LENS_SCREENSHOT_DIR: screenshotDir },
  });
  serverPgid = child.pid;
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  if (debug) {
    child.stdout.on('data', (d) => process.stderr.write(`[code-server] ${d}`));
    child.stderr.on('data', (d) => process.stderr.write(`[code-server] ${d}`));
  }
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  cleanups.push(async () => {
    killServerGroupSync('SIGTERM');
    for (let i = 0; i < 30 && groupAlive(child.pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (groupAlive(child.pid)) killServerGroupSync('SIGKILL');
    serverPgid = undefined;
  });
  const tail = () => {
    try {
      return readFileSync(logFile, 'utf8').split('\n').slice(-25).join('\n');
    } catch {
      return '(no server log)';
    }
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new LauncherError(`code-server exited (${exited.code ?? exited.signal}) before it was healthy; its log:\n${tail()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new LauncherError(`code-server was not healthy at /healthz within 60 s; its log:\n${tail()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  say(`code-server ${tools.codeServerVersion} healthy on 127.0.0.1:${port} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { port, tail, exited: () => exited };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const tools = readTools();
  const chromiumPath = findChromium();
  const { chromium } = await import('playwright-core');
  mkdirSync(screenshotDir, { recursive: true });

  const runDir = join(root, '.vscode-test', `code-server-${process.pid}`);
  mkdirSync(runDir, { recursive: true });
  runDirToRemove = runDir;
  cleanups.push(() => rmSync(runDir, { recursive: true, force: true }));

  const server = await startCodeServer(tools, opts, runDir);
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // Playwright's own signal handlers would exit(130) at once, before this launcher's cleanup ran.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  cleanups.push(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });

  let finish;
  const result = new Promise((res) => (finish = res));
  // The suite's reporter (test/integration/suite/index.ts) logs MUP_LENS_RESULT when mocha ends. A host that
  // crashed never does, and the workbench then still reports exit code 0.
  let resultReported = false;

  // Screenshots asked for by the tests run one at a time, in order.
  let shots = Promise.resolve();
  const screenshot = (name, waitFor = []) => {
    shots = shots.then(async () => {
      for (const selector of waitFor) {
        await page.waitForSelector(selector, { state: 'visible', timeout: 5_000 })
          .catch(() => say(`screenshot ${name}: ${selector} did not show within 5 s`));
      }
      const file = join(screenshotDir, `${name}.png`);
      await page.screenshot({ path: `${file}.tmp`, type: 'png' });
      renameSync(`${file}.tmp`, file);
      say(`screenshot: ${file}`);
    }).catch((err) => say(`screenshot ${name} failed: ${err?.message ?? err}`));
    return shots;
  };

  // Webview DOM reads asked for by the tests (MUP_LENS_WEBVIEW_DOM), one at a time, in order with the shots.
  const readWebview = (name, selector) => {
    shots = shots.then(async () => {
      const file = join(screenshotDir, `${name}.dom.json`);
      const deadline = Date.now() + 30_000;
      let out;
      let seen = [];
      while (!out) {
        seen = [];
        for (const frame of page.frames()) {
          const got = await frame.evaluate((sel) => {
            const app = document.querySelector('#app[data-view]');
            if (!app) return null;
            const data = (e) => Object.fromEntries([...e.attributes].filter((a) => a.name.startsWith('data-')).map((a) => [a.name, a.value]));
            return {
              matches: document.querySelector(sel) !== null,
              app: data(app),
              sections: [...document.querySelectorAll('section[data-parametrization]')].map(data),
              // Each plot's data attributes (the tick label boxes it painted), each action button's state, and
              // each recommendation's: what the editor tests check of a narrow panel and of a running sweep.
              figures: [...document.querySelectorAll('figure[data-plot]')].map(data),
              actions: [...document.querySelectorAll('button[data-action]')].map((b) => ({ action: b.dataset.action, disabled: b.disabled })),
              recs: [...document.querySelectorAll('.rec')].map((e) => ({ ...data(e), text: e.innerText })),
              status: [...document.querySelectorAll('[data-status-of]')].map((e) => e.innerText),
              width: document.getElementById('app').clientWidth,
            };
          }, selector).catch(() => null); // a frame that navigated or went away meanwhile
          if (!got) continue;
          seen.push(got.app);
          if (got.matches && !out) out = { app: got.app, sections: got.sections, figures: got.figures, actions: got.actions, recs: got.recs, status: got.status, width: got.width };
        }
        if (out) out.frames = seen.length;
        else if (Date.now() > deadline) break;
        else await new Promise((r) => setTimeout(r, 100));
      }
      const body = out ?? { error: `no webview frame matched ${selector} within 30 s`, seen };
      writeFileSync(`${file}.tmp`, JSON.stringify(body, null, 2));
      renameSync(`${file}.tmp`, file);
      say(`webview DOM: ${file}${out ? '' : ' (no match)'}`);
    }).catch((err) => say(`webview DOM ${name} failed: ${err?.message ?? err}`));
  };

  // Input boxes answered as the tests ask (MUP_LENS_QUICK_INPUT), in order with the shots and DOM reads.
  const answerInputs = (name, answers) => {
    shots = shots.then(async () => {
      const seen = [];
      let last = null;
      for (const text of answers) {
        const deadline = Date.now() + 30_000;
        let got = null;
        while (!got && Date.now() < deadline) {
          got = await page.evaluate((prev) => {
            const w = document.querySelector('.quick-input-widget');
            const input = w?.querySelector('.quick-input-box input');
            if (!w || !input || w.offsetParent === null || getComputedStyle(w).display === 'none') return null;
            const title = w.querySelector('.quick-input-title')?.textContent ?? '';
            if (title === prev) return null;
            return { title, prompt: w.querySelector('.quick-input-message')?.textContent ?? '', value: input.value };
          }, last).catch(() => null);
          if (!got) await new Promise((r) => setTimeout(r, 100));
        }
        if (!got) {
          seen.push({ error: `no new input box within 30 s (the last answered: ${JSON.stringify(last)})` });
          break;
        }
        seen.push(got);
        last = got.title;
        const input = page.locator('.quick-input-widget .quick-input-box input');
        await input.fill(text);
        await input.press('Enter');
      }
      const file = join(screenshotDir, `${name}.input.json`);
      writeFileSync(`${file}.tmp`, JSON.stringify(seen, null, 2));
      renameSync(`${file}.tmp`, file);
      say(`input boxes answered: ${file}`);
    }).catch((err) => say(`input boxes ${name} failed: ${err?.message ?? err}`));
  };

  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const line = format(...(Array.isArray(args) ? args : [args]));
    const quick = /^MUP_LENS_QUICK_INPUT (\S+) (\[.*\])$/.exec(line);
    if (quick) {
      let answers = null;
      try {
        answers = JSON.parse(quick[2]);
      } catch {
        say(`input boxes ${quick[1]}: cannot parse ${quick[2]}`);
      }
      if (Array.isArray(answers)) answerInputs(quick[1], answers.map(String));
      return;
    }
    const dom = /^MUP_LENS_WEBVIEW_DOM (\S+) (.+)$/.exec(line);
    if (dom) {
      readWebview(dom[1], dom[2]);
      return;
    }
    const marker = /^MUP_LENS_SCREENSHOT (\S+)(?: (\{.*\}))?$/.exec(line);
    if (marker) {
      let waitFor = ['.squiggly-error', '.action-widget'];
      try {
        if (marker[2]) waitFor = JSON.parse(marker[2]).waitFor ?? [];
      } catch {
        say(`screenshot ${marker[1]}: cannot parse ${marker[2]}`);
      }
      // Default: squiggles and the code action menu (its widget class in VS Code 1.9x) before the shot.
      void screenshot(marker[1], waitFor);
      return;
    }
    if (line.includes('MUP_LENS_RESULT ')) resultReported = true;
    if (!debug && WORKBENCH_NOISE.some((re) => re.test(line))) return;
    (type === 'error' ? process.stderr : process.stdout).write(`${process.env.MUP_LENS_LOG_TYPES ? `<${type}> ` : ''}${line}\n`);
  });
  await page.exposeFunction('codeAutomationExit', (code) => finish({ code: Number(code) }));
  page.on('pageerror', (err) => debug && say(`page error: ${err.message}`));
  if (debug) page.on('console', (m) => say(`workbench console.${m.type()}: ${m.text()}`));

  const payload = [
    ['extensionDevelopmentPath', remote(opts.devPath)],
    ['extensionTestsPath', remote(opts.testsPath)],
    ['skipWelcome', 'true'],
  ];
  const url = `http://127.0.0.1:${server.port}/?${opts.workspace ? `folder=${encodeURIComponent(opts.workspace)}&` : ''}payload=${encodeURIComponent(JSON.stringify(payload))}`;
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });

  const timer = setTimeout(() => finish({ timeout: true }), timeoutS * 1000);
  const watchdog = setInterval(() => {
    const e = server.exited();
    if (e) finish({ serverDied: e });
  }, 500);
  const outcome = await result;
  clearTimeout(timer);
  clearInterval(watchdog);

  await shots;
  await screenshot(`final-${session}`);
  if (outcome.timeout) {
    say(`TIMEOUT: the extension-host tests did not finish within ${timeoutS} s (MUP_LENS_HOST_TIMEOUT_S); ` +
      `a test waits on something that never happens, or the host hung. Page at the end: ${join(screenshotDir, `final-${session}.png`)}`);
    say(`code-server log (tail):\n${server.tail()}`);
    return 1;
  }
  if (outcome.serverDied) {
    say(`code-server died during the tests (${outcome.serverDied.code ?? outcome.serverDied.signal}); its log:\n${server.tail()}`);
    return 1;
  }
  if (debug) say(`code-server log (tail):\n${server.tail()}`);
  say(`the workbench reported exit code ${outcome.code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (outcome.code === 0 && !resultReported) {
    say('but the extension host never reported test results (no MUP_LENS_RESULT line): it crashed or the suite did not load; counted as a failure');
    return 1;
  }
  return Number.isInteger(outcome.code) ? outcome.code : 1;
}

let code;
try {
  code = await main();
} catch (err) {
  // After a signal, the closing browser makes pending page calls throw: not worth a stack trace.
  if (!stopping) say(err instanceof LauncherError ? err.message : `failed: ${err?.stack ?? err}`);
  code = 1;
} finally {
  await cleanup();
}
process.exit(code);
