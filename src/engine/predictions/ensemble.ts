/**
 * Ensemble metrics over the kept candidates (server spec §8.9–8.10): symbol probabilities,
 * itfdf similarity, confluence, entropies, tf-idf, future potentials, Bayesian terms, potential.
 *
 * The symbols of the state and of every present region are numbered once per ensemble, with their
 * probability terms and code-point ranks; every sum runs in the same order as the definitions in
 * information.ts (code-point order for the cosine and the global entropy, first appearance
 * otherwise), so the floats are those of the plain formulas.
 */
import { averageEmotives } from '../learning.js';
import { sortByCodePoint } from '../symbols.js';
import type { NodeTotals } from '../types.js';
import { weightedMetrics, type SymbolWeights } from './affinity.js';
import { classicExpectation, expectation } from './information.js';
import { flatten, fragmentationTerm, type PatternMatch } from './match.js';
import type { FuturePotential, Prediction } from './types.js';

/** What the ensemble metrics read besides the kept candidates. */
export interface EnsembleContext {
  /** The STM flattened. */
  state: readonly string[];
  /** Statistics (pmf) of (at least) every symbol in the matches and missing of the candidates. */
  symbolStats: ReadonlyMap<string, { readonly pmf: number }>;
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
  return sortByCodePoint([...symbols]);
}

// The symbols of one ensemble, numbered: the state's and the present regions' first (those carry
// a code-point rank), then those only in futures (which only group futures).
interface SymbolTable {
  ids: Map<string, number>;
  symbols: string[];
  /** Per id: 1 when the symbol has a probability (it is in some matches or missing). */
  defined: Uint8Array;
  /** Per id: P(s), 0 when undefined. */
  probability: Float64Array;
  /** Per id: `log10 P'(s)` of the chance probability. */
  chanceLog: Float64Array;
  /** Per id: `−P·log_N P` when P > 0, else 0 (and `defined` says whether it counts). */
  globalTerm: Float64Array;
  /** Per id: `log2(U/n) + 1` of tf-idf. */
  idf: Float64Array;
  /** Per id: code-point rank among the state and present symbols. */
  rank: Int32Array;
  /** Per id: occurrences in the state. */
  stateCount: Int32Array;
}

function intern(ids: Map<string, number>, symbols: string[], s: string): number {
  let id = ids.get(s);
  if (id === undefined) {
    id = symbols.length;
    ids.set(s, id);
    symbols.push(s);
  }
  return id;
}

function idfOf(p: number | undefined, U: number): number {
  let n = p === undefined ? 1 : Math.trunc(p * U);
  if (n === 0) n = 1;
  return Math.log2(U / n) + 1;
}

// The table, with the present symbols of candidate c as ids at presentIds[presentStart[c] ..
// presentStart[c + 1]).
function symbolTable(
  kept: readonly PatternMatch[],
  presents: readonly string[][],
  ctx: EnsembleContext,
): SymbolTable & { presentIds: Int32Array; presentStart: Int32Array } {
  const ids = new Map<string, number>();
  const symbols: string[] = [];
  const stateIds = ctx.state.map((s) => intern(ids, symbols, s));
  const presentStart = new Int32Array(presents.length + 1);
  for (let c = 0; c < presents.length; c++) presentStart[c + 1] = presentStart[c] + presents[c].length;
  const presentIds = new Int32Array(presentStart[presents.length]);
  for (let c = 0, p = 0; c < presents.length; c++) {
    const present = presents[c];
    for (let i = 0; i < present.length; i++) presentIds[p++] = intern(ids, symbols, present[i]);
  }
  const n = symbols.length;
  const U = ctx.totals.totalUniquePatterns;
  const N = ctx.totals.distinctSymbols;
  const defined = new Uint8Array(n);
  // Matches are state symbols and missing symbols are present ones: all numbered already.
  for (const k of kept) {
    for (const s of k.matches) defined[ids.get(s)!] = 1;
    for (const event of k.missing) for (const s of event) defined[ids.get(s)!] = 1;
  }
  const probability = new Float64Array(n);
  const chanceLog = new Float64Array(n);
  const globalTerm = new Float64Array(n);
  const idf = new Float64Array(n);
  for (let id = 0; id < n; id++) {
    let p: number | undefined;
    if (defined[id]) {
      const stats = ctx.symbolStats.get(symbols[id]);
      p = stats && U > 0 ? stats.pmf / U : 0.0;
      probability[id] = p;
      if (p > 0) globalTerm[id] = expectation(p, N);
    }
    const q = p ?? 1e-10;
    chanceLog[id] = Math.log10(q > 0 ? q : 1e-10);
    if (U !== 0) idf[id] = idfOf(p, U);
  }
  const rank = new Int32Array(n);
  const order = sortByCodePoint(symbols.slice());
  for (let r = 0; r < n; r++) rank[ids.get(order[r])!] = r;
  const stateCount = new Int32Array(n);
  for (const id of stateIds) stateCount[id]++;
  return { ids, symbols, defined, probability, chanceLog, globalTerm, idf, rank, stateCount, presentIds, presentStart };
}

// Sorts a few ids by rank in place (insertion sort: the lists are a pattern's distinct symbols).
function sortByRank(list: Int32Array, length: number, rank: Int32Array): void {
  for (let i = 1; i < length; i++) {
    const id = list[i];
    const r = rank[id];
    let j = i - 1;
    while (j >= 0 && rank[list[j]] > r) {
      list[j + 1] = list[j];
      j--;
    }
    list[j + 1] = id;
  }
}

// Future grouping key: per event, the symbols as sorted ids (order within an event ignored).
function futureKey(future: readonly (readonly string[])[], ids: Map<string, number>, symbols: string[]): string {
  let key = '';
  for (const event of future) {
    if (event.length === 1) {
      key += `${intern(ids, symbols, event[0])}|`;
      continue;
    }
    const sorted = event.map((s) => intern(ids, symbols, s)).sort((a, b) => a - b);
    key += `${sorted.join(',')}|`;
  }
  return key;
}

/** The ensemble of kept candidates (ordered by name) as predictions, with the future potentials. */
export function ensemblePredictions(
  kept: readonly PatternMatch[],
  ctx: EnsembleContext,
): { predictions: Prediction[]; futurePotentials: FuturePotential[] } {
  const U = ctx.totals.totalUniquePatterns;
  const Tpf = ctx.totals.totalPatternFrequencies;
  const N = ctx.totals.distinctSymbols;
  const presents = kept.map((k) => flatten(k.present));
  const table = symbolTable(kept, presents, ctx);
  const { ids, symbols, defined, probability, chanceLog, globalTerm, idf, rank, stateCount } = table;
  const frequencyOf = (k: PatternMatch) => (k.record.frequency > 0 ? k.record.frequency : 1);

  // The state vector's squared norm, in code-point order (other symbols add exact zeros).
  const stateOrder = Int32Array.from(new Set(ctx.state.map((s) => ids.get(s)!)));
  sortByRank(stateOrder, stateOrder.length, rank);
  let stateSquares = 0;
  for (const id of stateOrder) {
    const vs = probability[id] * stateCount[id];
    stateSquares += vs * vs;
  }
  const stateNorm = Math.sqrt(stateSquares);

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
    const key = futureKey(k.future, ids, symbols);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { future: k.future, total: 0.0, count: 0, share: 0 }));
    group.total += frequencyOf(k) * k.similarity;
    group.count += 1;
    groupKeys.push(key);
  }
  let allGroups = 0;
  for (const group of groups.values()) allGroups += group.total;
  for (const group of groups.values()) group.share = allGroups > 0 ? group.total / allGroups : 0.0;

  let bayesEvidence = 0;
  for (const k of kept) bayesEvidence += k.similarity * (frequencyOf(k) / F);

  // Per-candidate scratch: distinct present ids in first-appearance order, their counts, and the
  // same ids in code-point order.
  const seen = new Int32Array(symbols.length).fill(-1);
  const count = new Int32Array(symbols.length);
  let firstSeen = new Int32Array(16);
  let byRank = new Int32Array(16);

  const predictions = kept.map((k, index): Prediction => {
    const frequency = frequencyOf(k);
    const present = presents[index];
    const start = table.presentStart[index];
    const L = present.length;
    if (firstSeen.length < L) {
      firstSeen = new Int32Array(L);
      byRank = new Int32Array(L);
    }
    let distinct = 0;
    let logSum = 0;
    for (let i = 0; i < L; i++) {
      const id = table.presentIds[start + i];
      logSum += chanceLog[id];
      if (seen[id] !== index) {
        seen[id] = index;
        count[id] = 1;
        firstSeen[distinct++] = id;
      } else count[id]++;
    }
    byRank.set(firstSeen.subarray(0, distinct));
    sortByRank(byRank, distinct, rank);

    // 1 − cosine distance weighting over present ∪ state, summed in code-point order.
    let dot = 0;
    let presentSquares = 0;
    let globalEntropy = 0;
    for (let r = 0; r < distinct; r++) {
      const id = byRank[r];
      const p = probability[id];
      const vs = p * stateCount[id];
      const vp = p * count[id];
      dot += vs * vp;
      presentSquares += vp * vp;
      if (defined[id] && p > 0) globalEntropy += globalTerm[id];
    }
    const presentNorm = Math.sqrt(presentSquares);
    const distance = stateNorm === 0 || presentNorm === 0 ? 1.0 : 1 - dot / (stateNorm * presentNorm);
    const itfdf = F > 0 ? 1 - (distance * frequency) / F : 0.0;
    const confluence = L === 0 ? 0.0 : (Tpf > 0 ? frequency / Tpf : 0) * (1 - 10 ** logSum);

    let entropySum = 0;
    let normalizedSum = 0;
    let tfidfSum = 0;
    for (let d = 0; d < distinct; d++) {
      const id = firstSeen[d];
      const tf = count[id] / L;
      entropySum += classicExpectation(tf);
      normalizedSum += expectation(tf, N);
      tfidfSum += tf * idf[id];
    }

    const stored = k.record.precomputed;
    const pattern = stored || ctx.weights ? flatten(k.record.events) : [];
    let tfidf: number;
    if (stored) {
      // The stored vector is summed in the pattern's first-appearance order, as it was built.
      let size = 0;
      let sum = 0;
      for (const s of new Set(pattern)) {
        if (!(s in stored.tf_vector)) continue;
        size++;
        const id = ids.get(s);
        const weight = id !== undefined && id < defined.length && defined[id] ? idf[id] : U === 0 ? 0 : idfOf(undefined, U);
        sum += stored.tf_vector[s] * weight;
      }
      tfidf = size === 0 || U === 0 ? 0.0 : sum / size;
    } else {
      tfidf = distinct === 0 || U === 0 ? 0.0 : tfidfSum / distinct;
    }

    const patternProbability = frequency / F;
    const weightedStrength = k.similarity * patternProbability;
    const key = groupKeys[index];
    const share = key === null ? 0 : groups.get(key)!.share;
    const prior = frequency / F;
    const posterior = bayesEvidence > 0 ? (k.similarity * prior) / bayesEvidence : 0.0;

    const weighted = ctx.weights
      ? weightedMetrics({ matches: k.matches, state: ctx.state, pattern, present, extras: flatten(k.extras) }, ctx.weights)
      : null;
    const E = weighted ? weighted.weighted_evidence : k.evidence;
    const C = weighted ? weighted.weighted_confidence : k.confidence;
    const S = weighted ? weighted.weighted_snr : k.snr;

    return {
      type: 'prototypical',
      name: k.record.name,
      frequency,
      emotives: k.record.emotives.length === 0 ? {} : averageEmotives(k.record.emotives),
      matches: k.matches,
      past: k.past,
      present: k.present,
      future: k.future,
      missing: k.missing,
      extras: k.extras,
      anomalies: k.anomalies,
      sequence: k.record.events,
      similarity: k.similarity,
      evidence: k.evidence,
      confidence: k.confidence,
      snr: k.snr,
      fragmentation: k.fragmentation,
      potential: (E + C) * S + itfdf + fragmentationTerm(k.fragmentation),
      confluence,
      itfdf_similarity: itfdf,
      tfidf_score: tfidf,
      entropy: stored ? stored.entropy : entropySum,
      normalized_entropy: stored ? stored.normalized_entropy : normalizedSum,
      global_normalized_entropy: stored ? stored.global_normalized_entropy : globalEntropy,
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
