// What every rule gets: the parsed file and the models built over it.
import type * as ts from 'typescript';
import type { Bindings } from './bindings';
import type { Facts } from './collect';
import type { LayerModel } from './layers';
import { rangeOf } from './source';
import type { Values } from './values';
import type { Finding, Fix, RuleId } from './types';
import type { WidthModel } from './width';
import { RULES } from './rules/meta';

export interface Ctx {
  fileName: string;
  sf: ts.SourceFile;
  facts: Facts;
  b: Bindings;
  w: WidthModel;
  values: Values;
  layers: LayerModel;
  baseWidth: number;
}

export function makeFinding(ctx: Ctx, rule: RuleId, node: ts.Node, message: string, fixes: Fix[]): Finding {
  const r = rangeOf(ctx.sf, node);
  return {
    file: ctx.fileName,
    line: r.line,
    column: r.column,
    endLine: r.endLine,
    endColumn: r.endColumn,
    rule,
    severity: RULES[rule].severity,
    message,
    // The suppression fixes ("Suppress <rule> for this line / file") are added by the fronts, from one
    // implementation that knows the document's line endings and existing directives (src/languageService/suppression.ts).
    fixes,
  };
}

/** Base-width text for fixes: the file's own constant (`BASE_WIDTH`) or the number. */
export function baseText(ctx: Ctx): string {
  return ctx.w.baseConstant() ?? String(ctx.baseWidth);
}
