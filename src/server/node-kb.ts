/**
 * The processor's NodeKb over the store: one node (kb_id) of the shared store, with its stored
 * vectors cached in memory between learns (vector observations read them on every observe).
 */
import type { NodeKb } from '../engine/processor/kb.js';
import type { LearnItem, LearnOutcome } from '../engine/types.js';
import { forgetCandidateIndex, storePredictionSource } from '../store/prediction-source.js';
import type { Store } from '../store/types.js';
import { LruMap } from './lru.js';

/** Stored vectors per kb_id, shared by every NodeKb of one server. */
export type VectorCache = LruMap<string, ReadonlyMap<string, readonly number[]>>;

/** A cache of stored vectors for at most `capacity` nodes. */
export function vectorCache(capacity = 100): VectorCache {
  return new LruMap(capacity);
}

/** `kb` with each learn applied under `<writeKey>#<n>`, n counting the learns made through it. */
export function keyedNodeKb(kb: NodeKb, writeKey: string): NodeKb {
  let learns = 0;
  return {
    ...kb,
    learn: (item, options) => kb.learn(item, { ...options, writeKey: `${writeKey}#${learns++}` }),
  };
}

/** The NodeKb of `kbId` in `store`. */
export function storeNodeKb(store: Store, kbId: string, vectors: VectorCache): NodeKb {
  return {
    async learn(item: LearnItem, options: { persistence: number; writeKey?: string }): Promise<LearnOutcome> {
      const [outcome] = await store.learn(kbId, [item], options);
      return outcome;
    },
    async storedVectors() {
      let stored = vectors.get(kbId);
      if (!stored) {
        stored = await store.vectors(kbId);
        vectors.set(kbId, stored);
      }
      return stored;
    },
    deferredVectors: () => store.deferredVectors(kbId),
    deferVector: (name, components) => store.deferVector(kbId, name, components),
    async indexVectors(toIndex) {
      vectors.delete(kbId);
      await store.indexDeferredVectors(kbId, toIndex);
    },
    async clear() {
      vectors.delete(kbId);
      await store.clearNode(kbId);
      forgetCandidateIndex(store, kbId);
    },
    predictionSource: storePredictionSource(store, kbId),
    allPatterns: () => store.allPatterns(kbId),
    allSymbolStats: () => store.allSymbolStats(kbId),
    totals: () => store.totals(kbId),
    savePrecomputed: (metrics) => store.savePrecomputed(kbId, metrics),
  };
}
