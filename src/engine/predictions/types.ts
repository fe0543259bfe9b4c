/**
 * Types of KATO's prediction generation: what a node's KB offers to the matcher (the source),
 * the prediction objects of both paths (server spec §8.2, §8.12) and the future potentials.
 */
import type { Emotives, Event, NodeTotals, PatternRecord, SymbolStats } from '../types.js';
import type { CandidateIndex } from './candidate-index.js';

/**
 * What prediction generation reads from a node's KB; the store adapter implements it. Every
 * record a source returns is the caller's own copy: the predictions made from it share its arrays.
 */
export interface PredictionSource {
  /** Every pattern containing at least one of `symbols` (from the symbol index). */
  patternsWithAnySymbol(symbols: readonly string[]): Promise<PatternRecord[]>;
  /** Every pattern whose first event's first symbol is `symbol` (single-symbol path). */
  patternsStartingWith(symbol: string): Promise<PatternRecord[]>;
  /** Every pattern of the node (recall threshold 0). */
  allPatterns(): AsyncIterable<PatternRecord>;
  /** Statistics of the symbols that exist (unknown symbols are absent). */
  symbolStats(symbols: readonly string[]): Promise<Map<string, SymbolStats>>;
  totals(): Promise<NodeTotals>;
  /** Affinities of the symbols that have one. */
  affinities(symbols: readonly string[]): Promise<Map<string, Emotives>>;
  /**
   * Optional: an in-memory candidate index kept in step with the KB, which selects the pruned
   * candidate set exactly without reading every candidate. Requires `patternsByName`.
   */
  candidateIndex?(): Promise<CandidateIndex>;
  /** The records of these bare names that exist. */
  patternsByName?(names: readonly string[]): Promise<Map<string, PatternRecord>>;
  /**
   * Optional: the records of the patterns at these slots of `index` (the source's candidate
   * index, renumbered `renumbered` times when the slots were chosen), in the same order, or null
   * when the index or the KB changed since. The records carry no metadata (predictions do not
   * read it).
   */
  patternsAtSlots?(index: CandidateIndex, renumbered: number, slots: readonly number[], names?: readonly string[]): Promise<PatternRecord[] | null>;
  /**
   * Optional: the node's totals and the pmf of each of `symbols` it knows, read together from one
   * state of the KB (the candidate index's). Without it, predictions read `totals` and `symbolStats`.
   */
  probabilityStats?(symbols: readonly string[]): Promise<ProbabilityStats>;
}

/** The node's totals with the pmf (number of patterns containing it) of some symbols. */
export interface ProbabilityStats {
  totals: NodeTotals;
  /** Symbols the node does not know are absent. */
  symbolStats: Map<string, { pmf: number }>;
}

/** One fuzzily matched state token (§8.6). */
export interface Anomaly {
  observed: string;
  expected: string;
  similarity: number;
}

/** A full-path prediction, keys in the order of server spec §8.12. */
export interface Prediction {
  type: 'prototypical';
  name: string;
  frequency: number;
  emotives: Emotives;
  matches: string[];
  past: Event[];
  present: Event[];
  future: Event[];
  missing: Event[];
  extras: Event[];
  anomalies: Anomaly[];
  sequence: Event[];
  similarity: number;
  evidence: number;
  confidence: number;
  snr: number;
  fragmentation: number;
  potential: number;
  confluence: number;
  itfdf_similarity: number;
  tfidf_score: number;
  entropy: number;
  normalized_entropy: number;
  global_normalized_entropy: number;
  predictive_information: number;
  pattern_probability: number;
  weighted_strength: number;
  bayesian_posterior: number;
  bayesian_prior: number;
  bayesian_likelihood: number;
  weighted_similarity: number | null;
  weighted_evidence: number | null;
  weighted_confidence: number | null;
  weighted_snr: number | null;
}

/** A single-symbol fast-path prediction: flat lists and a reduced field set (§8.2). */
export interface SingleSymbolPrediction {
  name: string;
  pattern_data: Event[];
  length: number;
  frequency: number;
  emotives: Emotives;
  matches: string[];
  missing: string[];
  present: string[];
  past: string[];
  future: string[];
  extras: string[];
  similarity: number;
  evidence: number;
  confidence: number;
  snr: number;
  /** An integer (0) on this path. */
  fragmentation: number;
  anomalies: Anomaly[];
  weighted_similarity: number | null;
  weighted_evidence: number | null;
  weighted_confidence: number | null;
  weighted_snr: number | null;
  potential: number;
}

/** A future shared by some predictions, with its share of the similarity-weighted frequency (§8.10). */
export interface FuturePotential {
  future: Event[];
  aggregate_potential: number;
  supporting_patterns: number;
  total_weighted_frequency: number;
}

/** What `predict` returns: the ranked predictions and the future potentials of the ensemble. */
export interface PredictionResult {
  predictions: (Prediction | SingleSymbolPrediction)[];
  futurePotentials: FuturePotential[];
}
