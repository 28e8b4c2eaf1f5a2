// The one message protocol between the extension host (src/panels) and the muP panel's webview (webview/).
// Both sides import only this module's types, so a message that one side sends and the other does not handle
// is a compile error (`const _: never = msg` in each switch). Names are namespaced: `coord/*`, `sweep/*` carry
// data host -> webview, `panel/*` carry user actions webview -> host.
//
// Handshake: the webview posts `panel/ready` once its script runs; the host posts nothing before it (messages
// posted to a webview that has not loaded yet are lost). Actions that need an answer carry an `id` and the
// host replies with `panel/response` of the same id.
//
// No `vscode` import here: the webview bundle (browser) includes this file.
import type { CoordResult } from '../coord/types';
import type { HpAxis, Parametrization, SweepHpResult, SweepResult, SweepTrial } from '../sweep/types';
import type { TransferReport } from '../sweep/transfer';
import type { TargetAxes } from '../sweep/transferAxes';
import type { SweepAxisGrid } from '../sweep/axes';
import type { AxisResult } from '../sweep/axisAnalysis';

export type { Parametrization };

/** Where a run's model came from; shown in the panel's header and used to name settings. */
export interface RunMeta {
  title: string;
  /** Workspace-relative or absolute path of the model file. */
  modelFile: string;
  exportName: string;
  parametrization: Parametrization;
}

export interface CoordMeta extends RunMeta {
  /** The HTML/JSON report on disk, if the producer wrote one. */
  reportPath?: string;
  /** Why it ran in this parametrization, when that needs saying ("sp.ts is written in SP (...): running it in SP"). */
  parametrizationNote?: string;
  /** What went wrong but left a usable result, said before the verdict it qualifies: a width that failed (out of
   *  memory, the factory threw there), an interrupt; "...; judged on the 2 smaller widths". */
  warnings?: string[];
}

export interface CoordView {
  kind: 'coord';
  meta: CoordMeta;
  result: CoordResult;
}

/** `running` while trials arrive; `done` with a final result; `cancelled`/`failed` keep what is stored. */
export type SweepStatus = 'running' | 'done' | 'cancelled' | 'failed' | 'interrupted';

export interface SweepMeta extends RunMeta {
  /** The store folder (`.mup/sweeps/<name>/`), re-read when a restored panel had an unfinished sweep. */
  storeDir?: string;
  /** The planned grid, when known, so that progress can say "12 / 120 trials". */
  widths?: number[];
  lrs?: number[];
  seeds?: number;
  /** The planned hyperparameter axes (`--hp`, `mupLens.sweep.hp`); absent in an LR sweep. */
  hps?: HpAxis[];
  /** Sweeps with the same group share one panel, SP beside muP (default `<modelFile>#<exportName>`; set it
   *  when SP and muP are two exports, e.g. `mlpSP` and `mlpMuP`). */
  group?: string;
}

/** The engine's result as the panel gets it: the contract's fields, and from the engine (a live run's report,
 *  or a stored result.json) the width its recommended LR is for. */
export type SweepRunResult = SweepResult & {
  recommended?: { targetWidth: number } | null;
  /** false: trials of the planned grid have no result, so nothing is concluded (absent in older results). */
  complete?: boolean;
  missing?: number;
  /** Each hyperparameter axis as the engine judged it (absent in an LR sweep and in older results). */
  hps?: SweepHpResult[];
  everyAxisTransfers?: boolean;
  /** Issue 21 (absent in older results): the verdict, the shift's 95% interval, what would settle it. */
  verdict?: 'transfers' | 'does-not-transfer' | 'inconclusive';
  shiftInterval?: { low: number; high: number } | null;
  reasons?: string[];
  settle?: string[];
  /** Issue 21: the narrowest width from which the rest transfer, when the whole set does not (unchecked: validated where read). */
  transfersFrom?: unknown;
  /** Issue 22: the axes beyond width the sweep varied, and each one's result (src/sweep/axisAnalysis.ts). */
  axisGrid?: SweepAxisGrid[];
  axes?: AxisResult[];
};

/** One parametrization's sweep as the panel knows it (live trials, then the engine's result). */
export interface SweepRun {
  meta: SweepMeta;
  trials: SweepTrial[];
  result: SweepRunResult | null;
  status: SweepStatus;
  message?: string;
}

export interface SweepView {
  kind: 'sweep';
  /** SP and muP of the same model shown side by side; one entry when only one exists. */
  runs: SweepRun[];
  /** Width to recommend an LR for; null = the panel's default: the width the engine recommended for in a
   *  finished run (`result.recommended.targetWidth`), else the widest width swept, as `mup-lens sweep` does. */
  targetWidth: number | null;
  /** The last transfer of this view's muP sweep to a width ("Transfer to width N"): running, or its report. */
  transfer?: TransferView | null;
}

/** A transfer the panel asked for (or the command ran): its status, then `mup-lens transfer`'s report. */
export interface TransferView {
  targetWidth: number;
  /** Issue 22: the target's other axes (depth, batch, steps, sequence length; the depth scheme and proxy values). */
  target?: TargetAxes;
  verify: boolean;
  status: 'running' | 'done' | 'failed';
  message?: string;
  report?: TransferReport;
}

export type PanelView = CoordView | SweepView;

// ---- host -> webview ------------------------------------------------------------------------------------
export type HostMessage =
  | { type: 'coord/show'; view: CoordView }
  | { type: 'sweep/show'; view: SweepView }
  | { type: 'sweep/trials'; parametrization: Parametrization; trials: SweepTrial[] }
  | { type: 'sweep/result'; parametrization: Parametrization; result: SweepRunResult }
  | { type: 'sweep/status'; parametrization: Parametrization; status: SweepStatus; message?: string }
  | { type: 'sweep/transfer'; transfer: TransferView }
  | { type: 'panel/response'; id: number; ok: boolean; message: string }
  /** A stored run to draw over this one (dashed, as TensorBoard overlays runs), or null to remove it (issue 23.5). */
  | { type: 'panel/overlay'; overlay: { label: string; view: PanelView } | null };

// ---- webview -> host ------------------------------------------------------------------------------------
export type ExportFormat = 'png' | 'svg' | 'csv' | 'json';

export type WebviewMessage =
  | { type: 'panel/ready' }
  /** Open the layer's definition: `file` as the result names it (resolved by the host), 1-based `line`. */
  | { type: 'panel/reveal'; layer: string; file: string; line: number }
  /** Save a plot or its data; `data` is text, or a `data:image/png;base64,...` URL for PNG. */
  | { type: 'panel/export'; id: number; format: ExportFormat; suggestedName: string; data: string }
  | { type: 'panel/copy'; id: number; text: string }
  | {
      type: 'panel/writeSetting';
      id: number;
      modelFile: string;
      exportName: string;
      parametrization: Parametrization;
      lr: number;
      targetWidth: number;
    }
  /** The view changed in the webview (e.g. target width); the host keeps it for restore. */
  | { type: 'panel/state'; view: PanelView }
  /** "Transfer to a target…" (and "Verify"): the muP run's tuned values to a target the command asks for, every
   *  axis pre-filled (the width with the panel's target width). */
  | { type: 'panel/transfer'; id: number; targetWidth: number; verify: boolean }
  /** "Overlay a stored run": the host asks which (a quick pick of stored runs of the same kind); `clear` removes it. */
  | { type: 'panel/overlay'; id: number; clear?: boolean };

export const PANEL_VIEW_TYPE = 'mupLens.results';

/** Shallow structural check of a message from the webview (it is another process; never trust its shape). */
export function isWebviewMessage(m: unknown): m is WebviewMessage {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { type?: unknown }).type;
  return (
    t === 'panel/ready' ||
    t === 'panel/reveal' ||
    t === 'panel/export' ||
    t === 'panel/copy' ||
    t === 'panel/writeSetting' ||
    t === 'panel/state' ||
    t === 'panel/transfer' ||
    t === 'panel/overlay'
  );
}
