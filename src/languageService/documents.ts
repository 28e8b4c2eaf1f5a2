// Which documents the language features look at. Pure: no `vscode` import.

export const LANGUAGES = ['typescript', 'typescriptreact', 'javascript', 'javascriptreact'] as const;
export const SCHEMES = ['file', 'untitled'] as const;

export interface DocumentKey {
  languageId: string;
  scheme: string;
  /** The URI's path (forward slashes). */
  path: string;
}

/**
 * JS/TS documents on disk or untitled, except installed packages and declaration files: VS Code opens those in
 * the background (peek, go to definition), and findings in a library's code are nothing the user can act on
 * (`mup-lens lint` skips node_modules too).
 */
export function isLintableDocument(d: DocumentKey): boolean {
  return (
    (LANGUAGES as readonly string[]).includes(d.languageId) &&
    (SCHEMES as readonly string[]).includes(d.scheme) &&
    !/(^|\/)node_modules\//.test(d.path) &&
    !/\.d\.[cm]?ts$/i.test(d.path)
  );
}
