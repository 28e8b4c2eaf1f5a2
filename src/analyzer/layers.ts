// The layer model of a file: its layers found (discovery.ts), put in order per sequential model
// (sequence.ts), sized (shape.ts) and given their muP roles (roles.ts). What the rules read.
import type ts = require('typescript');
import { fileIndex } from './attention/fileIndex';
import type { Bindings } from './bindings';
import type { Facts } from './collect';
import type { Gaps } from './incomplete';
import { LayerIndex, type LayerRec } from './discovery';
import { findUseReadouts, type UseReadout } from './helperUses';
import { Roles } from './roles';
import { Sequences } from './sequence';
import { Shapes } from './shape';
import type { Values } from './values';
import type { WidthModel } from './width';

export type { Category, LayerRec, SeqSite } from './discovery';
export type { UseReadout } from './helperUses';
export { PROJECTION_OUT } from './discovery';

export class LayerModel {
  readonly layers: LayerRec[];
  private readonly shapes: Shapes;

  constructor(
    facts: Facts,
    b: Bindings,
    w: WidthModel,
    values: Values,
    /** Classes whose methods compute attention scores that go to a softmax. */
    attentionClasses: Set<ts.ClassLikeDeclaration>,
    /** Where bounds are hit (what could not be followed). */
    gaps: Gaps,
  ) {
    const index = new LayerIndex(facts, b);
    const seq = new Sequences();
    this.layers = index.layers;
    this.shapes = new Shapes(index, seq, b, w, values, gaps, fileIndex(facts, b));
    const roles = new Roles(facts, index, seq, this.shapes, b, w, values, attentionClasses);
    // Sizes flow forward through a model: worked out in its order, each layer's input is the remembered
    // output of the one before (a model whose layers are defined in another order than they are added
    // would otherwise be followed back its whole length from each layer).
    const lists = new Set<LayerRec[]>();
    for (const l of this.layers) if (l.seq && !lists.has(l.seq.list)) lists.add(l.seq.list);
    for (const list of lists) for (const l of list) this.shapes.fanIn(l);
    for (const l of this.layers) roles.classify(l);
    // (a layer a helper adds at several calls: the calls at which it is a readout)
    this.useReadouts = findUseReadouts(index, seq, this.shapes, roles, w, fileIndex(facts, b));
  }

  /** Layers added by a helper that are readouts at some of its calls only (helperUses.ts), with those calls. */
  readonly useReadouts: Map<LayerRec, UseReadout[]> = new Map();

  /** The expression that sets a layer's input size (its fan-in), when it is written out. */
  fanInExpr(rec: LayerRec): ts.Expression | undefined {
    return this.shapes.fanIn(rec).expr;
  }
}
