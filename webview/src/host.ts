// The webview's side of src/protocol/webview.ts: typed posting, request/response by id, persisted state.
import type { HostMessage, PanelView, WebviewMessage } from '../../src/protocol/webview';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api: VsCodeApi = acquireVsCodeApi();

export interface PersistedState {
  view: PanelView | null;
}

export function post(msg: WebviewMessage): void {
  api.postMessage(msg);
}

export function loadState(): PersistedState {
  const s = api.getState() as Partial<PersistedState> | undefined;
  return { view: s && typeof s === 'object' && s.view ? s.view : null };
}

export function saveState(state: PersistedState): void {
  api.setState(state);
}

let nextId = 1;
const pending = new Map<number, (r: { ok: boolean; message: string }) => void>();

type WithoutId<T> = T extends { id: number } ? Omit<T, 'id'> : never;

/** Post an action that the host answers with `panel/response` of the same id. */
export function request(msg: WithoutId<WebviewMessage>): Promise<{ ok: boolean; message: string }> {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    api.postMessage({ ...msg, id });
  });
}

export function settleResponse(msg: Extract<HostMessage, { type: 'panel/response' }>): void {
  const r = pending.get(msg.id);
  pending.delete(msg.id);
  r?.({ ok: msg.ok, message: msg.message });
}
