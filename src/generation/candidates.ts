/**
 * KATO prediction objects (either path, in-process or from the HTTP API) read as generation
 * candidates: the whole pattern, where its present lies, its scores and its rank.
 */
import type { Event } from '../engine/types.js';
import type { Candidate, RankMetric } from './types.js';

/** The fields generation reads from a prediction of either path (server spec §8.2, §8.12). */
export interface PredictionFields {
  readonly name: string;
  readonly frequency: number;
  readonly matches: readonly string[];
  readonly similarity: number;
  readonly potential: number;
  /** Full path: the pattern's events and its segmentation into events. */
  readonly sequence?: readonly Event[];
  readonly past?: readonly unknown[];
  readonly present?: readonly unknown[];
  /** Single-symbol path: the pattern's events (its present is the first event). */
  readonly pattern_data?: readonly Event[];
}

/** The candidate a prediction of `level`, ranked `rank` by `rankBy`, stands for. */
export function candidateOf(level: number, rank: number, prediction: PredictionFields, rankBy: RankMetric): Candidate {
  const base = {
    level,
    name: prediction.name,
    frequency: prediction.frequency,
    matches: prediction.matches,
    similarity: prediction.similarity,
    potential: prediction.potential,
    score: rankBy === 'similarity' ? prediction.similarity : prediction.potential,
    rank,
  };
  if (prediction.sequence) {
    return { ...base, events: prediction.sequence, pastEvents: prediction.past?.length ?? 0, presentEvents: prediction.present?.length ?? 0 };
  }
  // The single-symbol path matched the pattern's first symbol: its first event is the present.
  return { ...base, events: prediction.pattern_data ?? [], pastEvents: 0, presentEvents: 1 };
}
