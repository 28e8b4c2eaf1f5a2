// What a user of ESLint, TensorBoard and Optuna expects of the editor (issue 23), in a real extension host: a
// CodeLens run trains the parametrization the file is written in; a run saves its own file, not others; the sweep
// panel is provisional mid-sweep (actions disabled) and concludes at the end; the panel in the default side-by-side
// column has no colliding tick labels; fix all is in the lightbulb; the runs view lists stored runs; a report opens
// in a webview tab. Screenshots: test-results/screenshots/editor-*.png.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activatedExtension, fixtureUri, muPDiagnostics, openFixture, readWebviewDom, requestScreenshot, revert, ruleOf, waitFor, waitForDiagnostics, type WebviewDom } from './helpers';
import { EXPECTED_SP_MLP, MUP_MLP, SP_ATTENTION, SP_MLP } from './fixtures';

interface CoordOut {
  parametrization: 'mup' | 'sp';
  notes: string[];
  reportPath: string;
  result: { verdict: { pass: boolean } };
}

interface PanelState {
  kind: 'coord' | 'sweep';
  title: string;
  trials: number;
}

const SWEEP_WIDTHS = [32, 64, 128];
const SWEEP_LRS = 11; // 2^-10 .. 2^0
const settings: Record<string, [string, unknown][]> = {
  'mupLens.coordCheck': [
    ['widths', [32, 64]],
    ['steps', 2],
    ['seeds', 1],
    ['backend', 'wasm'],
    // parametrization left unset: `auto`, the file's own
  ],
  'mupLens.sweep': [
    ['widths', SWEEP_WIDTHS],
    ['lrRange', '2^-10:2^0:1'],
    // Long enough trials that the panel can be read while the sweep still runs.
    ['steps', 200],
    ['seeds', 1],
    ['workers', 1],
    ['backend', 'wasm'],
  ],
};

const panelState = () => vscode.commands.executeCommand<PanelState[]>('mupLens._panelState');

/** Overlapping neighbours among the tick labels each plot painted (data-x-ticks / data-y-ticks, CSS px). */
function collisions(dom: WebviewDom): string[] {
  const out: string[] = [];
  for (const f of dom.figures ?? []) {
    for (const key of ['data-x-ticks', 'data-y-ticks']) {
      const boxes = (JSON.parse(f[key] ?? '[]') as Array<[string, number, number]>).sort((a, b) => a[1] - b[1]);
      for (let i = 1; i < boxes.length; i++) if (boxes[i]![1] < boxes[i - 1]![2] + 2) out.push(`${f['data-plot']} ${key}: "${boxes[i - 1]![0]}" / "${boxes[i]![0]}"`);
    }
  }
  return out;
}

const disabled = (dom: WebviewDom, action: string) => (dom.actions ?? []).filter((a) => a.action === action).map((a) => a.disabled);

suite('the editor experience (issue 23)', () => {
  let spReport = '';
  let sweepStore = '';

  suiteSetup(async () => {
    await activatedExtension();
    for (const [section, kv] of Object.entries(settings)) {
      const cfg = vscode.workspace.getConfiguration(section);
      for (const [k, v] of kv) await cfg.update(k, v, vscode.ConfigurationTarget.Workspace);
    }
  });

  suiteTeardown(async () => {
    for (const [section, kv] of Object.entries(settings)) {
      const cfg = vscode.workspace.getConfiguration(section);
      for (const [k] of kv) await cfg.update(k, undefined, vscode.ConfigurationTarget.Workspace);
    }
    await vscode.commands.executeCommand('workbench.view.explorer');
  });

  test('a CodeLens check of an SP file runs in SP and says why; of a muP file, in muP; only the file itself is saved', async function () {
    this.timeout(180_000);
    const sp = await openFixture(SP_MLP);
    await waitForDiagnostics(sp.document.uri, EXPECTED_SP_MLP);
    // Unsaved edits in the model and in an unrelated file: the run saves the model only.
    const other = await vscode.workspace.openTextDocument(fixtureUri(SP_ATTENTION));
    const end = (d: vscode.TextDocument) => d.lineAt(d.lineCount - 1).range.end;
    const edit = new vscode.WorkspaceEdit();
    edit.insert(sp.document.uri, end(sp.document), '\n// unsaved edit of the model\n');
    edit.insert(other.uri, end(other), '\n// unsaved edit of another file\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(sp.document.isDirty && other.isDirty);

    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', sp.document.uri)) ?? [];
    const check = lenses.find((l) => l.command?.command === 'mupLens.runCoordinateCheck');
    assert.ok(check?.command, `no coordinate-check CodeLens: ${JSON.stringify(lenses.map((l) => l.command?.command))}`);
    try {
      const out = await vscode.commands.executeCommand<CoordOut | undefined>(check.command.command, ...(check.command.arguments ?? []));
      assert.ok(out, 'the CodeLens check returned nothing (see the muP output)');
      assert.equal(out.parametrization, 'sp', 'an SP file is checked in SP');
      assert.ok(out.notes.some((n) => /sp_mlp\.ts is written in SP \(1 muP error \(readout-not-scaled at line 14\)\): running it in SP/.test(n)), JSON.stringify(out.notes));
      spReport = out.reportPath;
      assert.equal(sp.document.isDirty, false, 'the model was saved before the run');
      assert.equal(other.isDirty, true, 'an unrelated file was left unsaved');
      const titles = (await panelState()).map((p) => p.title);
      assert.ok(titles.includes('muP coord: mlp (SP) · sp_mlp.ts'), JSON.stringify(titles));
      // (the view of this run carries its note: another SP coordinate view still open from an earlier test matched
      // the selector without it, and the note was read off that one)
      const dom = await readWebviewDom('editor-codelens-sp', '#app[data-view="coord"][data-parametrization="sp"][data-parametrization-note]');
      if (dom) assert.match(dom.app['data-parametrization-note'] ?? '', /is written in SP .*running it in SP/, JSON.stringify(dom.app));
      await requestScreenshot('editor-codelens-sp', 20_000, []);
    } finally {
      // Back to the committed text (line numbers of later tests), saved; the other file reverted.
      const undo = new vscode.WorkspaceEdit();
      const text = sp.document.getText().replace('\n// unsaved edit of the model\n', '');
      undo.replace(sp.document.uri, new vscode.Range(new vscode.Position(0, 0), end(sp.document)), text);
      await vscode.workspace.applyEdit(undo);
      await sp.document.save();
      await revert(other);
    }

    const mup = await openFixture(MUP_MLP);
    const mupLens = ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', mup.document.uri)) ?? []).find((l) => l.command?.command === 'mupLens.runCoordinateCheck');
    assert.ok(mupLens?.command);
    const out = await vscode.commands.executeCommand<CoordOut | undefined>(mupLens.command.command, ...(mupLens.command.arguments ?? []));
    assert.equal(out?.parametrization, 'mup', 'a muP file is checked in muP');
    assert.ok(!out.notes.some((n) => /written in SP/.test(n)), JSON.stringify(out.notes));
  });

  test('the sweep panel is provisional mid-sweep (Copy, Write, Transfer disabled) and gives the engine\'s verdict when the grid is complete', async function () {
    this.timeout(420_000);
    const uri = fixtureUri(MUP_MLP);
    const total = SWEEP_WIDTHS.length * SWEEP_LRS;
    const running = vscode.commands.executeCommand<Array<{ cancelled: boolean; parametrization: string; storeDir: string }> | undefined>('mupLens.runSweep', { uri: uri.toString(), exportName: 'mlp' });
    // Wait until one width's row is complete and the grid is not: a provisional recommendation shows.
    const deadline = Date.now() + 300_000;
    let trials = 0;
    while (Date.now() < deadline) {
      trials = (await panelState()).find((p) => p.kind === 'sweep')?.trials ?? 0;
      if (trials > SWEEP_LRS) break;
      await new Promise((r) => setTimeout(r, 150));
    }
    assert.ok(trials > SWEEP_LRS && trials < total, `mid-sweep: ${trials} of ${total} trials`);
    const mid = await readWebviewDom('editor-sweep-provisional', '.rec[data-provisional="true"]');
    if (mid) {
      assert.ok(mid.recs?.some((r) => r['data-provisional'] === 'true' && /provisional/.test(r.text) && /so far/.test(r.text)), JSON.stringify(mid.recs));
      for (const a of ['copy', 'write-setting', 'transfer', 'transfer-verify']) assert.ok(disabled(mid, a).length > 0 && disabled(mid, a).every(Boolean), `${a} disabled mid-sweep: ${JSON.stringify(mid.actions)}`);
      assert.ok(mid.status?.some((s) => /running: \d+ \/ 33 trials/.test(s) && /nothing is concluded/.test(s)), JSON.stringify(mid.status));
      assert.ok(!mid.status?.some((s) => /transfers|does not transfer/.test(s)), JSON.stringify(mid.status));
      await requestScreenshot('editor-sweep-provisional', 20_000, []);
    }
    const reports = await running;
    assert.equal(reports?.length, 1, JSON.stringify(reports));
    assert.equal(reports[0]!.parametrization, 'mup', 'the muP file is swept in muP');
    sweepStore = reports[0]!.storeDir;
    const done = await readWebviewDom('editor-sweep-final', '#app[data-view="sweep"] .run-status.done');
    if (!done) this.skip();
    // One seed: the engine cannot say how much of the shift is noise, so the verdict is inconclusive (issue 21) and
    // the actions stay disabled, saying why and what would settle it in the editor's words (a setting, no CLI flag).
    for (const a of ['copy', 'write-setting', 'transfer']) assert.ok(disabled(done, a).length > 0 && disabled(done, a).every(Boolean), `${a} disabled under an inconclusive verdict: ${JSON.stringify(done.actions)}`);
    assert.ok(done.recs?.every((r) => r['data-provisional'] === 'false' && r['data-inconclusive'] === 'true'), JSON.stringify(done.recs));
    assert.ok(done.recs?.every((r) => /inconclusive: .*one seed/.test(r.text) && /mupLens\.sweep\.seeds/.test(r.text) && !/--seeds/.test(r.text)), JSON.stringify(done.recs));
    assert.ok(done.status?.some((s) => /· inconclusive/.test(s)), JSON.stringify(done.status));
    await requestScreenshot('editor-sweep-final', 20_000, []);
  });

  test('the panel in the default side-by-side column (~650 px) has no colliding tick labels', async function () {
    this.timeout(90_000);
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await vscode.commands.executeCommand('workbench.action.evenEditorWidths');
    await vscode.commands.executeCommand('mupLens.openResults', spReport.replace(/[\\/]index\.html$/, ''));
    const coord = await readWebviewDom('editor-coord-column', '#app[data-view="coord"] figure[data-x-ticks]');
    if (!coord) this.skip();
    assert.ok((coord.width ?? 0) >= 500 && (coord.width ?? 0) <= 760, `the panel column is ${coord.width} px`);
    assert.ok((coord.figures ?? []).length >= 2, JSON.stringify(coord.figures));
    assert.deepEqual(collisions(coord), []);
    await requestScreenshot('editor-coord-column', 20_000, []);
    // The sweep panel of the test above, brought to the front (a hidden webview draws nothing).
    assert.ok(sweepStore, 'the sweep of the test above');
    await vscode.commands.executeCommand('mupLens.openResults', sweepStore);
    const sweep = await readWebviewDom('editor-sweep-column', '#app[data-view="sweep"] figure[data-x-ticks]');
    assert.ok(sweep);
    assert.deepEqual(collisions(sweep), []);
  });

  test('fix all is in the lightbulb, after the error\'s fix, which is the preferred one', async function () {
    this.timeout(60_000);
    await vscode.commands.executeCommand('workbench.view.explorer');
    const editor = await openFixture(SP_MLP);
    await waitForDiagnostics(editor.document.uri, EXPECTED_SP_MLP);
    const readout = muPDiagnostics(editor.document.uri).find((d) => ruleOf(d) === 'mup/readout-not-scaled')!;
    // Over the whole file: the warnings' fixes (fan-in init) and the error's (the readout) are all in the menu.
    const whole = new vscode.Range(0, 0, editor.document.lineCount, 0);
    const actions = ((await vscode.commands.executeCommand<Array<vscode.CodeAction | vscode.Command>>('vscode.executeCodeActionProvider', editor.document.uri, whole, vscode.CodeActionKind.QuickFix.value)) ?? []).filter(
      (a): a is vscode.CodeAction => a instanceof vscode.CodeAction,
    );
    const seen = actions.map((a) => `${a.title}${a.isPreferred ? ' (preferred)' : ''}`).join('; ');
    assert.ok(actions.some((a) => /^Fix all muP problems \(\d+ fixes\)$/.test(a.title)), seen);
    const preferred = actions.filter((a) => a.isPreferred);
    assert.equal(preferred.length, 1, seen);
    assert.doesNotMatch(preferred[0]!.title, /fan-in init/, `the warning's fix is preselected: ${seen}`);
    assert.match(preferred[0]!.title, /readout|width/i, seen);
    editor.selection = new vscode.Selection(readout.range.start, readout.range.start);
    editor.revealRange(readout.range, vscode.TextEditorRevealType.InCenter);
    await vscode.commands.executeCommand('editor.action.quickFix');
    try {
      await requestScreenshot('editor-lightbulb-fix-all', 20_000, ['.action-widget']);
    } finally {
      await vscode.commands.executeCommand('hideCodeActionWidget');
    }
  });

  test('the muP Runs view lists the stored checks and sweeps with what they concluded', async function () {
    this.timeout(60_000);
    const items = await vscode.commands.executeCommand<Array<{ group: string; label: string; description: string }>>('mupLens._runsView');
    const line = (i: { group: string; label: string; description: string }) => `${i.group}: ${i.label} — ${i.description}`;
    const text = items.map(line);
    assert.ok(text.some((t) => /^coord: mlp · sp_mlp\.ts — SP · widths 32-64 · (fail|pass)/.test(t)), text.join('\n'));
    assert.ok(text.some((t) => /^coord: mlp · mup_mlp\.ts — muP · widths 32-64/.test(t)), text.join('\n'));
    assert.ok(text.some((t) => /^sweep: mlp · mup_mlp\.ts — muP · 33\/33 trials · (transfers|does not transfer|inconclusive)/.test(t)), text.join('\n'));
    await vscode.commands.executeCommand('workbench.view.explorer');
    await vscode.commands.executeCommand('mupLens.runs.focus');
    await new Promise((r) => setTimeout(r, 2_000)); // the tree fills in after the view opens
    await requestScreenshot('editor-runs-view', 20_000, ['.monaco-list-row[aria-level="2"]']);
  });

  test('a report opens in a webview tab, not through the browser', async function () {
    this.timeout(60_000);
    assert.ok(spReport, 'the report of the first test');
    const ok = await vscode.commands.executeCommand<boolean>('mupLens.openReport', spReport);
    assert.equal(ok, true);
    const isReport = (t: vscode.Tab) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('mupLens.report');
    await waitFor(vscode.window.tabGroups.onDidChangeTabs, () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some(isReport), 10_000, 'the report tab');
    const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find(isReport)!;
    assert.match(tab.label, /^muP report: /);
    await new Promise((r) => setTimeout(r, 3_000)); // the webview's frame loads after the tab opens
    await requestScreenshot('editor-report-webview', 20_000, []);
  });
});
