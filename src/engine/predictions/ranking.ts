/**
 * Ordering of candidates and predictions (server spec §8.8, §8.11): pruning by the pre-potential,
 * ranking by the session's rank_sort_algo; ties by similarity desc then name asc, nulls lowest.
 */
import type { PatternMatch } from './match.js';

/** Compares two keys descending, with null (or a missing / non-numeric value) below every number. */
function compareDescending(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a > b ? -1 : a < b ? 1 : 0;
}

function numeric(value: unknown): number | null {
  return typeof value === 'number' && !Number.isNaN(value) ? value : null;
}

/** Orders by similarity desc, then name asc (the defined order behind every tie). */
export function compareTies(a: { similarity: number; name: string }, b: { similarity: number; name: string }): number {
  if (a.similarity !== b.similarity) return a.similarity > b.similarity ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Orders matches for pruning: pre-potential desc, then similarity desc, then name asc. */
export function comparePruning(a: PatternMatch, b: PatternMatch): number {
  return (
    compareDescending(a.pre, b.pre) ||
    compareTies({ similarity: a.similarity, name: a.record.name }, { similarity: b.similarity, name: b.record.name })
  );
}

/** The `limit` best matches for the ensemble (all of them when there are no more than `limit`). */
export function pruneMatches(matches: PatternMatch[], limit: number): PatternMatch[] {
  if (matches.length <= limit) return matches;
  return [...matches].sort(comparePruning).slice(0, limit);
}

/**
 * Predictions sorted by the value of `key` descending (nulls and absent keys lowest), ties by
 * similarity desc then name asc, cut to `limit`.
 */
export function rankPredictions<T extends { similarity: number; name: string }>(predictions: readonly T[], key: string, limit: number): T[] {
  const value = (p: T) => numeric((p as Record<string, unknown>)[key]);
  return [...predictions].sort((a, b) => compareDescending(value(a), value(b)) || compareTies(a, b)).slice(0, Math.max(0, limit));
}
