/**
 * Ensemble metrics over the kept candidates (server spec §8.9–8.10): symbol probabilities,
 * itfdf similarity, confluence, entropies, tf-idf, future potentials, Bayesian terms, potential.
 */
import { averageEmotives } from '../learning.js';
import { compareCodePoints, sortSymbols } from '../symbols.js';
import type { NodeTotals, SymbolStats } from '../types.js';
import { weightedMetrics, type SymbolWeights } from './affinity.js';
import {
  chanceProbability,
  counts,
  entropy,
  globalNormalizedEntropy,
  normalizedEntropy,
  tfidfScore,
} from './information.js';
import { fragmentationTerm, type PatternMatch } from './match.js';
import type { FuturePotential, Prediction } from './types.js';

/** What the ensemble metrics read besides the kept candidates. */
export interface EnsembleContext {
  /** The STM flattened. */
  state: readonly string[];
  /** Statistics of (at least) every symbol in the matches and missing of the candidates. */
  symbolStats: ReadonlyMap<string, SymbolStats>;
  totals: NodeTotals;
  /** State-symbol weights when affinity weighting is active, else null. */
  weights: SymbolWeights | null;
}

/** Symbols whose probability the ensemble defines: matches ∪ missing of every kept candidate. */
export function probabilitySymbols(kept: readonly PatternMatch[]): string[] {
  const symbols = new Set<string>();
  for (const k of kept) {
    for (const s of k.matches) symbols.add(s);
    for (const event of k.missing) for (const s of event) symbols.add(s);
  }
  return [...symbols].sort(compareCodePoints);
}

// 1 − cosine distance weighting: vectors over present ∪ state, summed in code-point order.
function cosineDistance(present: readonly string[], state: readonly string[], probability: (s: string) => number | undefined): number {
  const presentCounts = counts(present);
  const stateCounts = counts(state);
  const universe = [...new Set([...present, ...state])].sort(compareCodePoints);
  let dot = 0;
  let stateSquares = 0;
  let presentSquares = 0;
  for (const s of universe) {
    const p = probability(s) ?? 0;
    const vs = p * (stateCounts.get(s) ?? 0);
    const vp = p * (presentCounts.get(s) ?? 0);
    dot += vs * vp;
    stateSquares += vs * vs;
    presentSquares += vp * vp;
  }
  const stateNorm = Math.sqrt(stateSquares);
  const presentNorm = Math.sqrt(presentSquares);
  if (stateNorm === 0 || presentNorm === 0) return 1.0;
  return 1 - dot / (stateNorm * presentNorm);
}

/** The ensemble of kept candidates (ordered by name) as predictions, with the future potentials. */
export function ensemblePredictions(
  kept: readonly PatternMatch[],
  ctx: EnsembleContext,
): { predictions: Prediction[]; futurePotentials: FuturePotential[] } {
  const U = ctx.totals.totalUniquePatterns;
  const Tpf = ctx.totals.totalPatternFrequencies;
  const N = ctx.totals.distinctSymbols;
  const table = new Map<string, number>();
  for (const s of probabilitySymbols(kept)) {
    const stats = ctx.symbolStats.get(s);
    table.set(s, stats && U > 0 ? stats.pmf / U : 0.0);
  }
  const probability = (s: string) => table.get(s);
  const frequencyOf = (k: PatternMatch) => (k.record.frequency > 0 ? k.record.frequency : 1);

  let F = 0;
  for (const k of kept) F += frequencyOf(k);

  // Futures grouped regardless of symbol order within events, in first-appearance order.
  const groups = new Map<string, { future: FuturePotential['future']; total: number; count: number; share: number }>();
  const groupKeys: (string | null)[] = [];
  for (const k of kept) {
    if (k.future.length === 0) {
      groupKeys.push(null);
      continue;
    }
    const key = JSON.stringify(k.future.map((event) => sortSymbols(event)));
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { future: k.future.map((e) => [...e]), total: 0.0, count: 0, share: 0 }));
    group.total += frequencyOf(k) * k.similarity;
    group.count += 1;
    groupKeys.push(key);
  }
  let allGroups = 0;
  for (const group of groups.values()) allGroups += group.total;
  for (const group of groups.values()) group.share = allGroups > 0 ? group.total / allGroups : 0.0;

  let bayesEvidence = 0;
  for (const k of kept) bayesEvidence += k.similarity * (frequencyOf(k) / F);

  const predictions = kept.map((k, index): Prediction => {
    const frequency = frequencyOf(k);
    const present = k.present.flat();
    const pattern = k.record.events.flat();
    const itfdf = F > 0 ? 1 - (cosineDistance(present, ctx.state, probability) * frequency) / F : 0.0;
    const confluence = present.length === 0 ? 0.0 : (Tpf > 0 ? frequency / Tpf : 0) * (1 - chanceProbability(present, probability));

    const stored = k.record.precomputed;
    let tf: Map<string, number>;
    if (stored) {
      // The stored vector is summed in the pattern's first-appearance order, as it was built.
      tf = new Map();
      for (const s of counts(pattern).keys()) if (s in stored.tf_vector) tf.set(s, stored.tf_vector[s]);
    } else {
      tf = new Map([...counts(present)].map(([s, c]) => [s, c / present.length]));
    }

    const patternProbability = frequency / F;
    const weightedStrength = k.similarity * patternProbability;
    const key = groupKeys[index];
    const share = key === null ? 0 : groups.get(key)!.share;
    const prior = frequency / F;
    const posterior = bayesEvidence > 0 ? (k.similarity * prior) / bayesEvidence : 0.0;

    const weighted = ctx.weights
      ? weightedMetrics(
          { matches: k.matches, state: ctx.state, pattern, present, extras: k.extras.flat() },
          ctx.weights,
        )
      : null;
    const E = weighted ? weighted.weighted_evidence : k.evidence;
    const C = weighted ? weighted.weighted_confidence : k.confidence;
    const S = weighted ? weighted.weighted_snr : k.snr;

    return {
      type: 'prototypical',
      name: k.record.name,
      frequency,
      emotives: averageEmotives(k.record.emotives),
      matches: k.matches,
      past: k.past,
      present: k.present,
      future: k.future,
      missing: k.missing,
      extras: k.extras,
      anomalies: k.anomalies,
      sequence: k.record.events.map((e) => [...e]),
      similarity: k.similarity,
      evidence: k.evidence,
      confidence: k.confidence,
      snr: k.snr,
      fragmentation: k.fragmentation,
      potential: (E + C) * S + itfdf + fragmentationTerm(k.fragmentation),
      confluence,
      itfdf_similarity: itfdf,
      tfidf_score: tfidfScore(tf, probability, U),
      entropy: stored ? stored.entropy : entropy(present),
      normalized_entropy: stored ? stored.normalized_entropy : normalizedEntropy(present, N),
      global_normalized_entropy: stored ? stored.global_normalized_entropy : globalNormalizedEntropy(present, probability, N),
      predictive_information: key !== null && share > 0 ? weightedStrength / share : 0.0,
      pattern_probability: patternProbability,
      weighted_strength: weightedStrength,
      bayesian_posterior: posterior,
      bayesian_prior: prior,
      bayesian_likelihood: k.similarity,
      weighted_similarity: weighted ? weighted.weighted_similarity : null,
      weighted_evidence: weighted ? weighted.weighted_evidence : null,
      weighted_confidence: weighted ? weighted.weighted_confidence : null,
      weighted_snr: weighted ? weighted.weighted_snr : null,
    };
  });

  const futurePotentials: FuturePotential[] = [...groups.values()]
    .map((g) => ({ future: g.future, aggregate_potential: g.share, supporting_patterns: g.count, total_weighted_frequency: g.total }))
    // Array.prototype.sort is stable: equal shares keep first-appearance order.
    .sort((a, b) => b.aggregate_potential - a.aggregate_potential);
  return { predictions, futurePotentials };
}
