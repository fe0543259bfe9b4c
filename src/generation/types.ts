/**
 * Shared types of the generation part: the knowledge base generation reads (local or remote),
 * the run's hierarchy shape, candidates, continuations, spans, gaps and the generation result.
 */
import type { Event } from '../engine/types.js';

/** What generation must know of a run's hierarchy: its levels, chunk sizes and normaliser. */
export interface HierarchyShape {
  /** Number of levels (nodes) the run learned: level 0 … levels-1. */
  readonly levels: number;
  /** Chunk size of each level (`chunks.length === levels`). */
  readonly chunks: readonly number[];
  /** Name of the normaliser training applied before tokenizing. */
  readonly normalizer: string;
}

/** Prediction settings of one request to a level's node. */
export interface PredictQuery {
  /** Inclusive similarity a candidate needs (server spec §8.3.2). */
  readonly recallThreshold: number;
  /** Ensemble size: the most predictions returned. */
  readonly maxPredictions: number;
  /** The metric predictions are ranked by (KATO's `rank_sort_algo`). */
  readonly rankBy: RankMetric;
}

/** Ranking metrics generation uses. */
export type RankMetric = 'potential' | 'similarity';

/**
 * A prediction as generation reads it, the same whichever prediction path (single-symbol or
 * full) produced it: the whole pattern plus where the matched region (`present`) lies in it.
 */
export interface Candidate {
  readonly level: number;
  /** Bare 40-hex pattern name. */
  readonly name: string;
  readonly frequency: number;
  /** Every event of the pattern. */
  readonly events: readonly Event[];
  /** Events before the present. */
  readonly pastEvents: number;
  /** Events of the present (the matched region, whole events). */
  readonly presentEvents: number;
  readonly matches: readonly string[];
  readonly similarity: number;
  readonly potential: number;
  /** Value of the metric the node ranked it by. */
  readonly score: number;
  /** Position in the node's ranking, 0 = best. */
  readonly rank: number;
}

/** The knowledge base generation reads: predictions and patterns per level of one run. */
export interface GenerationKb {
  /** The ranked predictions of `level`'s node for an STM (events in observation order). */
  predict(level: number, stm: readonly Event[], query: PredictQuery): Promise<Candidate[]>;
  /** The events of the patterns of `level` with these bare names; missing names are absent. */
  getPatterns(level: number, names: readonly string[]): Promise<Map<string, Event[]>>;
  close(): Promise<void>;
}

/** A pattern an unravel needed but the KB lacks: reported, never skipped silently. */
export interface Gap {
  /** Level whose KB lacks the pattern. */
  readonly level: number;
  /** Bare name of the missing pattern. */
  readonly name: string;
  /** The pattern (one level up) whose event names it. */
  readonly parentLevel: number;
  readonly parent: string;
}

/** A continuation found in one candidate's text. */
export interface Continuation {
  readonly candidate: Candidate;
  /** Activation phase (offset of the first level-0 chunk boundary in the window) it came from. */
  readonly phase: number;
  /** Tokens of the context's end found verbatim in the candidate's text just before `at`. */
  readonly aligned: number;
  /** Token offset in the candidate's unravelled text where the context ends. */
  readonly at: number;
  /** The candidate's tokens after `at`, up to the budget or the first gap. */
  readonly tokens: readonly string[];
  /** The missing pattern that cut the continuation short, if one did. */
  readonly gap: Gap | null;
}

/** Where a run of generated tokens came from. */
export interface Span {
  /** Token range [start, end) in the generated continuation. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly level: number;
  /** `PTRN|<name>` of the pattern at `level` the tokens were unravelled from. */
  readonly pattern: string;
  /** Where the span starts in that pattern's unravelled tokens. */
  readonly offset: number;
  readonly frequency: number;
  /** Context tokens verified verbatim in the pattern's text right before the span. */
  readonly aligned: number;
  readonly similarity: number;
  readonly potential: number;
  readonly rank: number;
  readonly phase: number;
}

/** Why generation stopped. */
export type StopReason = 'max-tokens' | 'no-continuation' | 'missing-pattern';

/** The generated continuation with its provenance. */
export interface GenerationResult {
  /** The continuation only (the prompt is not repeated). */
  readonly text: string;
  readonly tokens: readonly string[];
  readonly promptTokens: number;
  readonly spans: readonly Span[];
  readonly gaps: readonly Gap[];
  readonly stop: StopReason;
  /** Activation + selection rounds run. */
  readonly steps: number;
}

/** How to generate. */
export interface GenerateOptions {
  /** Most tokens to generate. */
  readonly maxTokens: number;
  /** Predictions each level keeps and passes up as one event. */
  readonly ensemble: number;
  /** Sampling instead of the deterministic choice; absent = deterministic. */
  readonly sampling?: SamplingOptions;
}

/** Seeded sampling over the ranking metric. */
export interface SamplingOptions {
  readonly seed: number;
  /** Softmax temperature over the ranking metric (> 0). */
  readonly temperature: number;
  /** Sample among at most this many candidates (absent = all of the pool). */
  readonly topK?: number;
}
