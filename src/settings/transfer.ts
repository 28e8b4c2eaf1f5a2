// The `mupLens.transfer.*` settings (issue 22): the target the transfer's questions start from (0: nothing
// pre-filled, the sweep's largest swept value when it varied that axis), and the depth scheme the models implement
// (the CLI's --alpha). The target width stays `mupLens.sweep.targetWidth`. A wrong value is its default plus one
// line naming it (src/settings/read.ts).
import { DEPTH_SCHEME_ALPHA, type DepthSchemeName, type TargetDefaults } from '../sweep/transferTarget';
import { isInt, SettingsReader, type Read, type SettingsGetter } from './read';

export interface TransferSettings {
  /** Pre-filled target axes (width from mupLens.sweep.targetWidth). */
  defaults: TargetDefaults;
  /** `mupLens.transfer.depthScheme`: the alpha of the depth rule (CompleteP 1, depth-muP 0.5, SP 0). */
  depthScheme: DepthSchemeName;
  alpha: number;
}

export function readTransferSettings(get: SettingsGetter): Read<TransferSettings> {
  const r = new SettingsReader(get);
  const axis = (key: string) => {
    const v = r.value(`transfer.${key}`, 0, (x) => isInt(x, 0), 'an integer >= 0 (0: not pre-filled)');
    return v === 0 ? undefined : v;
  };
  const sweepWidth = r.value('sweep.targetWidth', 0, (x) => isInt(x, 0), 'an integer >= 0');
  const defaults: TargetDefaults = {};
  const set = (k: keyof TargetDefaults, v: number | undefined) => v !== undefined && (defaults[k] = v);
  set('width', sweepWidth === 0 ? undefined : sweepWidth);
  set('depth', axis('targetDepth'));
  set('batch', axis('targetBatch'));
  set('steps', axis('targetSteps'));
  set('seqLen', axis('targetSeqLen'));
  const depthScheme = r.value<DepthSchemeName>('transfer.depthScheme', 'completep', (x) => typeof x === 'string' && x in DEPTH_SCHEME_ALPHA, 'completep, depth-mup or sp');
  return { settings: { defaults, depthScheme, alpha: DEPTH_SCHEME_ALPHA[depthScheme] }, problems: r.problems };
}
