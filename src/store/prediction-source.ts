/**
 * A node's KB in a Store as a PredictionSource, with the node's prediction candidate index held
 * in memory per store and caught up from the pattern log before every prediction.
 */
import { slotEvents, slotName } from '../engine/predictions/candidate-index.js';
import type { PredictionSource } from '../engine/predictions/types.js';
import type { PatternRecord } from '../engine/types.js';
import { caughtUpNode, indexedNode, RENUMBER_AFTER } from './node-index.js';
import type { Store } from './types.js';

export { forgetCandidateIndex } from './node-index.js';

/** Options of a store-backed prediction source. */
export interface StorePredictionSourceOptions {
  /** Keep and use the in-memory candidate index (default true). */
  candidateIndex?: boolean;
  /**
   * Renumber the index in name order once this many patterns (and a quarter of the index) have
   * been added since it last was (default 50,000).
   */
  renumberAfter?: number;
}

/** The KB of node `kbId` in `store` as a PredictionSource. */
export function storePredictionSource(store: Store, kbId: string, options: StorePredictionSourceOptions = {}): PredictionSource {
  const source: PredictionSource = {
    patternsWithAnySymbol: (symbols) => store.patternsWithAnySymbol(kbId, symbols),
    patternsStartingWith: (symbol) => store.patternsStartingWith(kbId, symbol),
    allPatterns: () => store.allPatterns(kbId),
    symbolStats: (symbols) => store.symbolStats(kbId, symbols),
    totals: () => store.totals(kbId),
    affinities: (symbols) => store.affinities(kbId, symbols),
    patternsByName: (names) => store.getPatterns(kbId, names),
  };
  if (options.candidateIndex ?? true) {
    const caughtUp = () => caughtUpNode(store, kbId, options.renumberAfter ?? RENUMBER_AFTER);
    source.candidateIndex = async () => (await caughtUp()).index;
    // Events come from the index, and so do frequencies read while the node's stored patterns
    // have not changed since (`changes`); the rest of each record, and the others, by row id,
    // checked against the name.
    source.patternsAtSlots = async (index, renumbered, slots, names) => {
      const node = indexedNode(store, kbId);
      if (node.index !== index || index.renumbered !== renumbered) return null;
      const changes = node.changes;
      const fromStore = slots.map((slot) => node.readAt[slot] !== changes || node.annotated[slot] !== 0);
      const stale = slots.filter((_, k) => fromStore[k]).map((slot) => node.rowIds[slot]);
      const annotations = stale.length > 0 ? await store.patternAnnotations(kbId, stale) : null;
      if (node.index !== index || index.renumbered !== renumbered) return null;
      const records: PatternRecord[] = [];
      for (const [k, slot] of slots.entries()) {
        const name = names ? names[k] : slotName(index, slot);
        const record: PatternRecord = {
          name,
          events: slotEvents(index, slot),
          length: index.tokenStart[slot + 1] - index.tokenStart[slot],
          frequency: node.frequencies[slot],
          emotives: [],
          metadata: {},
        };
        if (fromStore[k]) {
          const annotation = annotations!.get(node.rowIds[slot]);
          if (!annotation || annotation.name !== name) return null;
          record.frequency = annotation.frequency;
          record.emotives = annotation.emotives;
          if (annotation.precomputed) record.precomputed = annotation.precomputed;
          // Current as of `changes` at least: a later change moves `changes` on.
          node.frequencies[slot] = annotation.frequency;
          node.annotated[slot] = annotation.emotives.length > 0 || annotation.precomputed ? 1 : 0;
          node.readAt[slot] = changes;
        }
        records.push(record);
      }
      return records;
    };
    // The index knows the node's symbols, so totals need no count over the symbol table.
    source.totals = async () => {
      const node = await caughtUp();
      return { ...node.counters, distinctSymbols: node.index.symbols.length };
    };
    // A symbol's pmf is the number of patterns that contain it: the length of its posting list,
    // in the same catch-up as the counters (no read of the symbol table, no cache to invalidate).
    source.probabilityStats = async (symbols) => {
      const node = await caughtUp();
      const { index } = node;
      const symbolStats = new Map<string, { pmf: number }>();
      for (const s of symbols) {
        const id = index.symbolIds.get(s);
        if (id !== undefined && index.postingLengths[id] > 0) symbolStats.set(s, { pmf: index.postingLengths[id] });
      }
      return { totals: { ...node.counters, distinctSymbols: index.symbols.length }, symbolStats };
    };
  }
  return source;
}
