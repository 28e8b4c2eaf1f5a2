// "Lint as you type": one analysis per pause in typing, per document.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedDebouncer } from '../../src/languageService/debounce';

test('keystrokes within the delay collapse into one run, per document', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const runs: string[] = [];
    const d = new KeyedDebouncer<string>();
    for (let i = 0; i < 5; i++) {
      d.schedule('a.ts', 250, () => runs.push(`a${i}`));
      mock.timers.tick(100);
    }
    d.schedule('b.ts', 250, () => runs.push('b'));
    assert.deepEqual(runs, []);
    assert.ok(d.isPending('a.ts'));
    mock.timers.tick(150);
    assert.deepEqual(runs, ['a4']);
    mock.timers.tick(100);
    assert.deepEqual(runs, ['a4', 'b']);
    assert.ok(!d.isPending('a.ts') && !d.isPending('b.ts'));
  } finally {
    mock.timers.reset();
  }
});

test('cancel (document closed) and dispose drop pending runs', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const runs: string[] = [];
    const d = new KeyedDebouncer<string>();
    d.schedule('a.ts', 10, () => runs.push('a'));
    d.schedule('b.ts', 10, () => runs.push('b'));
    d.cancel('a.ts');
    mock.timers.tick(10);
    assert.deepEqual(runs, ['b']);
    d.schedule('c.ts', 10, () => runs.push('c'));
    d.dispose();
    mock.timers.tick(10);
    assert.deepEqual(runs, ['b']);
  } finally {
    mock.timers.reset();
  }
});

test('a zero delay still runs asynchronously, after the current event', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const runs: number[] = [];
    const d = new KeyedDebouncer<string>();
    d.schedule('x', 0, () => runs.push(1));
    assert.deepEqual(runs, []);
    mock.timers.tick(0);
    assert.deepEqual(runs, [1]);
  } finally {
    mock.timers.reset();
  }
});
