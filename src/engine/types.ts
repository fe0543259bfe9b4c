/**
 * Shared engine types: events, observations, session state and configuration, pattern records
 * and the node statistics that prediction metrics read.
 */

/** An ordered list of symbols observed at one time step (sorted by code point). */
export type Event = string[];

/** Emotive name → value, as observed or averaged. */
export type Emotives = Record<string, number>;

/** Metadata as stored on a pattern: key → sorted list of distinct Python `str` values. */
export type PatternMetadata = Record<string, string[]>;

/** One observation as the API receives it (already validated). */
export interface Observation {
  strings: string[];
  vectors: number[][];
  emotives: Emotives;
  metadata: Record<string, unknown>;
  uniqueId?: string;
}

/** STM modes of auto-learning. */
export type StmMode = 'CLEAR' | 'ROLLING';

/** Effective session configuration: every parameter resolved to a value (§4 of the server spec). */
export interface SessionConfig {
  max_pattern_length: number;
  persistence: number;
  recall_threshold: number;
  indexer_type: string;
  max_predictions: number;
  sort_symbols: boolean;
  process_predictions: boolean;
  use_token_matching: boolean;
  fuzzy_token_threshold?: number;
  stm_mode: string;
  rank_sort_algo: string;
  affinity_emotive?: string | null;
  filter_pipeline: string[];
  length_min_ratio: number;
  length_max_ratio: number;
  jaccard_threshold: number;
  jaccard_min_overlap: number;
  minhash_threshold: number;
  minhash_bands: number;
  minhash_rows: number;
  minhash_num_hashes: number;
  bloom_false_positive_rate: number;
  max_candidates_per_stage: number;
  enable_filter_metrics: boolean;
}

/** A learned pattern as stored in a node's KB. */
export interface PatternRecord {
  /** Bare 40-hex name. */
  name: string;
  events: Event[];
  /** Total number of symbols. */
  length: number;
  frequency: number;
  /** Rolling window of emotive dicts (oldest first). */
  emotives: Emotives[];
  metadata: PatternMetadata;
  /** Metrics stored by finalize-training, when it has run. */
  precomputed?: PrecomputedMetrics;
}

/** Per-pattern metrics computed over the whole pattern by finalize-training. */
export interface PrecomputedMetrics {
  entropy: number;
  normalized_entropy: number;
  global_normalized_entropy: number;
  tf_vector: Record<string, number>;
}

/** A pattern to learn (or re-learn) in a node, with what the learn carries. */
export interface LearnItem {
  events: Event[];
  /** Bare name, when the caller already computed it (must equal patternName(events)). */
  name?: string;
  /** Emotives passed to this learn (whole list; the store keeps the last `persistence`). */
  emotives?: Emotives[];
  /** Accumulated metadata of this learn. */
  metadata?: PatternMetadata;
}

/** What one learn did. */
export interface LearnOutcome {
  name: string;
  /** Frequency after this learn. */
  frequency: number;
  created: boolean;
}

/** Occurrence statistics of one symbol in a node. */
export interface SymbolStats {
  /** Σ occurrences over all learns (re-learns included). */
  freq: number;
  /** Number of distinct patterns containing the symbol. */
  pmf: number;
}

/** Node-level counters (spec §9.1). */
export interface NodeTotals {
  totalSymbolsInPatternsFrequencies: number;
  /** Incremented only for new patterns (KATO quirk: always equals totalUniquePatterns). */
  totalPatternFrequencies: number;
  totalUniquePatterns: number;
  /** Number of distinct symbols known to the node. */
  distinctSymbols: number;
}
