// Where runs are stored and what is written there, for the CLI and the VS Code commands alike:
// `.mup/coord/<name>/` (result.json with the run's meta, index.html) and `.mup/sweeps/<name>/` (the trial store,
// sweep.json, result.json, report.html). Names come from the model's file and export: a name is always ONE path
// segment, whatever the export is called (`f.ts#../../x` must not write outside `.mup/`).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { writeJsonOutput, writeOutputFile } from './outputFile';
import type { CoordMeta } from '../protocol/webview';
import type { CoordResult } from '../coord/types';
import { renderCoordReport } from '../report/coordHtml';
import { renderSweepReport } from '../report/sweepHtml';
import type { Parametrization, SweepReport } from '../sweep/types';

/** `name` as one safe path segment: letters, digits, `.`, `_`, `-`; never `.` or `..`; at most 120 characters. */
export function pathSegment(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, (dots) => '_'.repeat(dots.length)).slice(0, 120);
  return safe === '' ? '_' : safe;
}

/**
 * `.mup/coord/<file>-<export>` below `root`; when that folder holds another file's check (`a/model.ts#mlp` there,
 * `b/model.ts#mlp` asked: issue 20 item 8), `<file>-<export>-<hash of the path>`, so one never overwrites the other.
 */
export function coordDir(root: string, modelFile: string, exportName: string): string {
  const name = pathSegment(`${basename(modelFile, extname(modelFile))}-${exportName}`);
  const dir = join(root, '.mup', 'coord', name);
  const owner = storedModelFile(join(dir, 'result.json'));
  if (owner === null || resolve(root, owner) === resolve(root, modelFile)) return dir;
  const tag = createHash('sha256').update(resolve(root, modelFile)).digest('hex').slice(0, 8);
  return join(root, '.mup', 'coord', pathSegment(`${name.slice(0, 110)}-${tag}`));
}

/** The model file a coordinate check's result.json was written for (its meta), or null when there is none. */
function storedModelFile(resultJson: string): string | null {
  try {
    const meta = (JSON.parse(readFileSync(resultJson, 'utf8')) as { meta?: { modelFile?: unknown } }).meta;
    return typeof meta?.modelFile === 'string' ? meta.modelFile : null;
  } catch {
    return null;
  }
}

/** `.mup/sweeps/<name>`: the model's folder and file name, the export and the parametrization, e.g. `mlp-sp.mlp.sp`. */
export function defaultSweepName(modelFile: string, exportName: string, parametrization: Parametrization): string {
  const stem = basename(modelFile, extname(modelFile));
  const parent = basename(dirname(modelFile));
  return pathSegment(`${parent}-${stem}.${exportName}.${parametrization}`);
}

export function sweepDir(root: string, modelFile: string, exportName: string, parametrization: Parametrization): string {
  return join(root, '.mup', 'sweeps', defaultSweepName(modelFile, exportName, parametrization));
}

/** Writes a coordinate check's result.json (with the run's meta, so "muP: Open Results" can list it) and index.html. */
export function writeCoordResult(dir: string, result: CoordResult, meta: CoordMeta, report: { subtitle: string; notes: string[] }): { json: string; html: string } {
  const json = join(dir, 'result.json');
  const html = join(dir, 'index.html');
  const { reportPath: _ignored, ...stored } = meta;
  writeJsonOutput(json, { ...result, meta: stored });
  writeOutputFile(html, renderCoordReport(result, { title: meta.title, subtitle: report.subtitle, notes: report.notes }));
  return { json, html };
}

/** Writes `<store>/report.html` for one or more sweeps (SP and muP side by side). */
export function writeSweepReport(dir: string, reports: SweepReport[], title: string): string {
  const path = join(dir, 'report.html');
  writeOutputFile(path, renderSweepReport(reports, title));
  return path;
}

/** Shards, concurrent sweeps and transfers rewrite their JSON files: atomically, never through a link, one-line
 *  OutputError on failure (./outputFile.ts). */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeJsonOutput(path, value);
}
