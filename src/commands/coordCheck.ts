import type * as vscode from 'vscode';

// Placeholder until this feature lands; replaced by its own issue's work.
export function registerCoordinateCheck(_context: vscode.ExtensionContext, _log: vscode.LogOutputChannel): void {}
