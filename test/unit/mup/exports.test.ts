// `mup-lens/runtime` as a user imports it: named exports bound to the project's own @tensorflow/tfjs, and
// declarations (runtime.dist.d.ts, shipped as dist/runtime.d.ts) that name exactly those exports.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as runtime from '../../../src/mup/runtime';
import { createMup } from '../../../src/mup/index';

const tfjs = require('@tensorflow/tfjs');

describe('mup-lens/runtime exports', () => {
  it('binds to the same tfjs instance the user requires, once per instance', () => {
    assert.equal(runtime.tf, tfjs);
    assert.equal(createMup(tfjs), runtime.default, 'createMup is cached per tfjs instance');
    assert.equal(runtime.MuReadout, runtime.default.MuReadout);
    assert.throws(() => createMup({} as never), /pass the @tensorflow\/tfjs namespace/);
  });

  it('declares exactly the names it exports', () => {
    const dts = readFileSync(join(__dirname, '../../../src/mup/runtime.dist.d.ts'), 'utf8');
    const declared = [...dts.matchAll(/^export declare const (\w+)/gm)].map((m) => m[1]).sort();
    const exported = Object.keys(runtime).filter((k) => k !== 'default' && k !== '__esModule').sort();
    assert.deepEqual(declared, exported);
    assert.deepEqual(Object.keys(runtime.default).sort(), exported, 'named exports = the runtime object');
  });
});
