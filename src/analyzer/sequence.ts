// The order of layers in a sequential model: which layers can come right before a layer (every add that
// some path through if/else, switch and loop branches runs last before it), and which one always comes
// right after it. Built on the syntactic control flow of controlFlow.ts.
import { branchBetween, lca, SiteFlow, statementOf } from './controlFlow';
import type { LayerRec, SeqSite } from './discovery';

/** How many `model.add` sites back `predecessors` looks through branches. */
const MAX_BACK = 16;

export class Sequences {
  private readonly memo = new Map<LayerRec, LayerRec[]>();
  /** The control flow of each model's sites, laid out once per model. */
  private readonly flows = new Map<SeqSite[], SiteFlow>();

  /**
   * The layers that can come right before `rec` in its sequential model. In a `layers: [...]` array or a
   * straight run of `model.add(...)` statements that is the one before it; with adds in if/else or
   * switch branches (tfjs-examples' sentiment model picks its layers by `modelType`), every add that
   * some path through the branches runs last before this one.
   */
  predecessors(rec: LayerRec): LayerRec[] {
    let memo = this.memo.get(rec);
    if (!memo) this.memo.set(rec, (memo = this.find(rec)));
    return memo;
  }

  /** The layer after `rec` in its model when it always runs right after `rec` (nothing else can come between). */
  next(rec: LayerRec): LayerRec | undefined {
    if (!rec.seq) return undefined;
    const { list, index, sites } = rec.seq;
    const next = list[index + 1];
    if (!next || this.predecessors(next).length !== 1 || this.predecessors(next)[0] !== rec) return undefined;
    // With adds in branches, the neighbour in source order can sit in another branch.
    const a = sites[index].node;
    const b = sites[index + 1].node;
    return sites[index + 1].kind !== 'add' || !branchBetween(b, lca(a, b)) ? next : undefined;
  }

  /** The place right after place `index` when it always runs right after it (`next` for one use of a layer). */
  after(sites: SeqSite[], index: number): number | undefined {
    const j = index + 1;
    if (j >= sites.length) return undefined;
    const b = this.before(sites, j);
    if (b.length !== 1 || b[0] !== index) return undefined;
    return sites[j].kind !== 'add' || !branchBetween(sites[j].node, lca(sites[index].node, sites[j].node)) ? j : undefined;
  }

  private find(rec: LayerRec): LayerRec[] {
    return rec.seq ? this.before(rec.seq.sites, rec.seq.index).map((j) => rec.seq!.list[j]) : [];
  }

  /**
   * The places in a model (indices into its list) that can come right before place `index`: `predecessors`
   * for one use of a layer, where a layer has several (a helper that adds it, called more than once).
   */
  before(sites: SeqSite[], index: number): number[] {
    if (index === 0) return [];
    const here = sites[index];
    const prev = sites[index - 1];
    if (here.kind !== 'add' || prev.kind !== 'add') return [index - 1];
    // Fast path: two statements of the same block, neither inside a branch of it (`if (x) model.add(a)`
    // without braces is a statement of the block too), run one after the other.
    const block = statementOf(here.node).parent;
    if (block === statementOf(prev.node).parent && !branchBetween(here.node, block) && !branchBetween(prev.node, block)) return [index - 1];
    let flow = this.flows.get(sites);
    if (!flow) this.flows.set(sites, (flow = new SiteFlow(sites.map((x) => x.node))));
    // At most MAX_BACK adds back: the scan is quadratic in its length (each candidate checks every add
    // between it and this one), and a run of more optional layers than that is not a model anyone writes.
    return flow.before(index, MAX_BACK);
  }
}
