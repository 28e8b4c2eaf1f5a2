// `mupLens.*` settings as a user writes them in settings.json -> the options the analyzer and the diagnostics use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeOptions, DEFAULT_SETTINGS, effectiveSeverity, parseLintSettings } from '../../src/settings/lint';

test('unset settings give the defaults and no message', () => {
  const { settings, problems } = parseLintSettings({});
  assert.deepEqual(settings, DEFAULT_SETTINGS);
  assert.deepEqual(problems, []);
});

test('valid settings are taken as written', () => {
  const { settings, problems } = parseLintSettings({
    baseWidth: 128,
    lintDelayMs: 0,
    rules: { 'mup/init-fan-avg': 'off', 'mup/readout-not-scaled': 'warning' },
  });
  assert.deepEqual(problems, []);
  assert.equal(settings.baseWidth, 128);
  assert.equal(settings.lintDelayMs, 0);
  // Severities are applied once, to the findings (effectiveSeverity), not by the analysis as well.
  assert.deepEqual(analyzeOptions(settings), { baseWidth: 128 });
  assert.equal(effectiveSeverity('mup/readout-not-scaled', 'error', settings), 'warning');
  assert.equal(effectiveSeverity('mup/init-fan-avg', 'warning', settings), null);
});

test('each wrong value gets a message naming the setting, and its default is used', () => {
  const { settings, problems } = parseLintSettings({
    baseWidth: 0,
    lintDelayMs: 'soon',
    rules: { 'mup/readout-not-scaled': 'warn', 'mup/no-such-rule': 'off', 'mup/init-fan-avg': 'info' },
  });
  assert.equal(settings.baseWidth, 64);
  assert.equal(settings.lintDelayMs, 250);
  assert.deepEqual(settings.rules, { 'mup/init-fan-avg': 'info' });
  assert.equal(problems.length, 4);
  assert.match(problems.find((p) => p.startsWith('mupLens.baseWidth'))!, /0 is not a width; use a number >= 1/);
  assert.match(problems.find((p) => p.startsWith('mupLens.lintDelayMs'))!, /"soon" is not a delay/);
  assert.match(problems.find((p) => p.includes('"warn"'))!, /mupLens\.rules\["mup\/readout-not-scaled"\]: "warn" is not one of error, warning, info, off/);
  assert.match(problems.find((p) => p.includes('no-such-rule'))!, /unknown rule "mup\/no-such-rule"; the rules are mup\/readout-not-scaled, /);
});

test('rules that are not an object are reported, not crashed on', () => {
  for (const rules of ['off', ['mup/init-fan-avg'], 3]) {
    const { settings, problems } = parseLintSettings({ rules });
    assert.deepEqual(settings.rules, {});
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^mupLens\.rules: expected an object/);
  }
});

test('the user severity wins over the analyzer severity; off hides the rule', () => {
  const { settings } = parseLintSettings({ rules: { 'mup/init-fan-avg': 'error', 'mup/optimizer-global-lr': 'off' } });
  assert.equal(effectiveSeverity('mup/init-fan-avg', 'warning', settings), 'error');
  assert.equal(effectiveSeverity('mup/optimizer-global-lr', 'warning', settings), null);
  assert.equal(effectiveSeverity('mup/readout-not-scaled', 'error', settings), 'error');
});

test('every rule of the analyzer is a valid mupLens.rules key, the newest included', () => {
  const { settings, problems } = parseLintSettings({ rules: { 'mup/analysis-incomplete': 'off' } });
  assert.deepEqual(problems, []);
  assert.equal(effectiveSeverity('mup/analysis-incomplete', 'warning', settings), null);
});
