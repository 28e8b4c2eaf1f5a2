// The colours of the HTML reports' SVG plots (a light page: reports are read outside VS Code, printed, attached).
export const LIGHT = { foreground: '#222222', background: '#ffffff', grid: '#dddddd' } as const;
