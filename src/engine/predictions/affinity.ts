/**
 * Affinity weighting (server spec §8.7, and its fast-path form in §8.2): each symbol weighs
 * |affinity[emotive]| per occurrence plus a 0.01 floor; weighted metrics sum those weights.
 */
import type { Emotives, SymbolStats } from '../types.js';

/** Symbol → weight; symbols without an entry weigh 0 (the full path weighs only state symbols). */
export type SymbolWeights = ReadonlyMap<string, number>;

/** `|a|/f + 0.01` when the symbol has both an affinity for the emotive and occurrences, else 0.01. */
export function symbolWeight(affinity: Emotives | undefined, stats: SymbolStats | undefined, emotive: string): number {
  const a = Math.abs(affinity?.[emotive] ?? 0);
  const f = stats?.freq ?? 0;
  return f > 0 && a > 0 ? a / f + 0.01 : 0.01;
}

/** Weights of `symbols` (each once) for `emotive`. */
export function symbolWeights(
  symbols: Iterable<string>,
  affinities: ReadonlyMap<string, Emotives>,
  stats: ReadonlyMap<string, SymbolStats>,
  emotive: string,
): Map<string, number> {
  const weights = new Map<string, number>();
  for (const s of symbols) if (!weights.has(s)) weights.set(s, symbolWeight(affinities.get(s), stats.get(s), emotive));
  return weights;
}

/** Σ weight over a list, with multiplicity, in list order. */
export function totalWeight(symbols: Iterable<string>, weights: SymbolWeights): number {
  let sum = 0;
  for (const s of symbols) sum += weights.get(s) ?? 0;
  return sum;
}

/** The weighted metrics of one full-path prediction. */
export interface WeightedMetrics {
  weighted_similarity: number | null;
  weighted_evidence: number;
  weighted_confidence: number;
  weighted_snr: number;
}

/** Weighted similarity, evidence, confidence and snr from the weights of the state symbols. */
export function weightedMetrics(
  parts: { matches: readonly string[]; state: readonly string[]; pattern: readonly string[]; present: readonly string[]; extras: readonly string[] },
  weights: SymbolWeights,
): WeightedMetrics {
  const wMatches = totalWeight(parts.matches, weights);
  const wState = totalWeight(parts.state, weights);
  const wPattern = totalWeight(parts.pattern, weights);
  const wPresent = totalWeight(parts.present, weights);
  const wExtras = totalWeight(parts.extras, weights);
  const similarityDenominator = wState + wPattern;
  const snrDenominator = wMatches + wExtras;
  return {
    weighted_similarity: similarityDenominator !== 0 ? (2 * wMatches) / similarityDenominator : null,
    weighted_evidence: wPattern !== 0 ? wMatches / wPattern : 0.0,
    weighted_confidence: wPresent !== 0 ? wMatches / wPresent : 0.0,
    weighted_snr: snrDenominator !== 0 ? wMatches / snrDenominator : 0.0,
  };
}
