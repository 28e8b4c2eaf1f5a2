// A layer's weight init as the user wrote it, for the hover's "yours vs muP's" (src/analyzer/describe.ts).
import ts = require('typescript');
import { configProp } from './source';

/** tfjs' own default weight init of the layers whose weights muP sets (tfjs-layers' constructors). */
const TFJS_DEFAULT_INIT: Record<string, string> = { dense: 'glorotUniform', conv1d: 'glorotUniform', conv2d: 'glorotUniform', conv3d: 'glorotUniform', embedding: 'randomUniform' };

/**
 * `kernelInitializer` (`embeddingsInitializer` for an embedding) as written, shortened; tfjs' default when the
 * config leaves it out; undefined for other layers, or when a spread (`...common`) may set it unseen.
 */
export function writtenInit(ctor: string, config: ts.ObjectLiteralExpression | undefined, sf: ts.SourceFile): string | undefined {
  const dflt = TFJS_DEFAULT_INIT[ctor];
  if (dflt === undefined) return undefined;
  const given = configProp(config, ctor === 'embedding' ? 'embeddingsInitializer' : 'kernelInitializer');
  if (!given) return config && config.properties.some((p) => ts.isSpreadAssignment(p)) ? undefined : `${dflt} (tfjs default)`;
  const text = given.getText(sf).replace(/\s+/g, ' ');
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
