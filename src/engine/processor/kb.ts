/**
 * The node knowledge base the processor works against: one node's patterns, statistics and
 * vectors. The engine defines it; the server adapts a Store and kb_id to it.
 */
import type { PredictionSource } from '../predictions/types.js';
import type { LearnItem, LearnOutcome, NodeTotals, PatternRecord, PrecomputedMetrics, SymbolStats } from '../types.js';

/** One node's KB as the processor needs it. */
export interface NodeKb {
  /** Learns one pattern of at least 2 symbols (frequency, emotive window, metadata, statistics). */
  learn(item: LearnItem, options: { persistence: number; writeKey?: string }): Promise<LearnOutcome>;
  /** Vectors indexed in the node's collection (name → components). */
  storedVectors(): Promise<ReadonlyMap<string, readonly number[]>>;
  /** Percept vectors observed since the node's last learn, in observation order. */
  deferredVectors(): Promise<ReadonlyMap<string, readonly number[]>>;
  /** Remembers a percept vector until the node's next learn indexes it. */
  deferVector(name: string, components: readonly number[]): Promise<void>;
  /** Adds `vectors` to the collection and forgets every deferred vector. */
  indexVectors(vectors: ReadonlyMap<string, readonly number[]>): Promise<void>;
  /** Deletes every pattern, statistic, affinity and stored vector of the node. */
  clear(): Promise<void>;
  /** What prediction generation reads from this node. */
  readonly predictionSource: PredictionSource;
  /** Every pattern of the node (finalize-training). */
  allPatterns(): AsyncIterable<PatternRecord>;
  /** Every symbol's statistics. */
  allSymbolStats(): Promise<Map<string, SymbolStats>>;
  totals(): Promise<NodeTotals>;
  /** Stores finalize-training's metrics per pattern name. */
  savePrecomputed(metrics: Map<string, PrecomputedMetrics>): Promise<void>;
}
