/**
 * The session's candidate filter pipeline (server spec §8.3.1): length, jaccard and minhash
 * (as exact Jaccard) database stages, bloom (no effect) and rapidfuzz in-process stages.
 */
import type { SessionConfig } from '../types.js';

/** What the pipeline stages look at in one candidate. */
export interface FilterFeatures {
  /** Total symbols of the pattern. */
  length: number;
  /** Distinct symbols of the pattern. */
  distinct: number;
  /** Distinct symbols the pattern shares with the state. */
  shared: number;
  /** Recall similarity of the session's matching mode. */
  similarity: number;
  /** Exact matching blocks of the alignment. */
  blocks: number;
}

/** The pipeline compiled for one state: a per-candidate test, or a pipeline that keeps nothing. */
export interface FilterPipeline {
  /** True when no stage filters (the pipeline is `[]`). */
  passAll: boolean;
  /** True when the pipeline keeps no candidate whatever they are. */
  rejectsAll: boolean;
  keeps(features: FilterFeatures): boolean;
}

const DATABASE_STAGES = new Set(['length', 'jaccard', 'minhash']);
const IN_PROCESS_STAGES = new Set(['bloom', 'rapidfuzz']);

// Python `value or default`: 0, NaN and null fall back to the default.
function orDefault(value: number | null | undefined, fallback: number): number {
  return value ? value : fallback;
}

/** Compiles `config.filter_pipeline` for a state of `distinctState` distinct symbols and length `stateLength`. */
export function compileFilterPipeline(config: SessionConfig, stateLength: number, distinctState: number): FilterPipeline {
  const stages = config.filter_pipeline ?? [];
  if (stages.length === 0) return { passAll: true, rejectsAll: false, keeps: () => true };
  const tests: ((f: FilterFeatures) => boolean)[] = [];
  let databaseRan = false;
  for (const stage of stages) {
    // Unknown names are skipped; an in-process stage before any database stage is skipped too.
    if (!DATABASE_STAGES.has(stage) && !IN_PROCESS_STAGES.has(stage)) continue;
    if (IN_PROCESS_STAGES.has(stage) && !databaseRan) continue;
    if (DATABASE_STAGES.has(stage)) databaseRan = true;
    if (stage === 'length') {
      const minLength = Math.max(1, Math.floor(stateLength * orDefault(config.length_min_ratio, 0.5)));
      const maxLength = Math.floor(stateLength * orDefault(config.length_max_ratio, 2.0));
      tests.push((f) => f.length >= minLength && f.length <= maxLength);
    } else if (stage === 'jaccard') {
      const threshold = orDefault(config.jaccard_threshold, 0.3);
      const minOverlap = orDefault(config.jaccard_min_overlap, 2);
      tests.push((f) => f.shared >= minOverlap && f.shared / (f.distinct + distinctState - f.shared) >= threshold);
    } else if (stage === 'minhash') {
      const threshold = orDefault(config.minhash_threshold, 0.7);
      tests.push((f) => f.shared / (f.distinct + distinctState - f.shared) >= threshold);
    } else if (stage === 'rapidfuzz') {
      const threshold = orDefault(config.recall_threshold, 0.1);
      tests.push((f) => f.similarity >= threshold && f.blocks >= 1);
    }
    // bloom: the reference stage fails internally and leaves the candidates unchanged.
  }
  if (!databaseRan) return { passAll: false, rejectsAll: true, keeps: () => false };
  return { passAll: false, rejectsAll: false, keeps: (f) => tests.every((test) => test(f)) };
}
