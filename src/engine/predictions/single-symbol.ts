/**
 * The single-symbol fast path (server spec §8.2): patterns that start with the one observed
 * symbol, with flat lists, the reduced field set and its own snr and potential.
 */
import { averageEmotives } from '../learning.js';
import { compareCodePoints } from '../symbols.js';
import type { SessionConfig } from '../types.js';
import { symbolWeights, totalWeight } from './affinity.js';
import { rankPredictions } from './ranking.js';
import { lcsLength } from './similarity.js';
import type { PredictionSource, SingleSymbolPrediction } from './types.js';

// The numeric keys a fast-path prediction carries; other ranking keys fall back to potential.
const FAST_PATH_KEYS = new Set([
  'potential',
  'similarity',
  'evidence',
  'confidence',
  'snr',
  'fragmentation',
  'frequency',
  'weighted_similarity',
  'weighted_evidence',
  'weighted_confidence',
  'weighted_snr',
]);

/** Predictions for a state of one symbol: every pattern whose first symbol it is, ranked and capped. */
export async function singleSymbolPredictions(
  symbol: string,
  config: SessionConfig,
  source: PredictionSource,
): Promise<SingleSymbolPrediction[]> {
  const records = (await source.patternsStartingWith(symbol))
    .filter((r) => r.events.length > 0 && r.events[0][0] === symbol)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (records.length === 0) return [];

  const emotive = config.affinity_emotive ? config.affinity_emotive : null;
  let weights: Map<string, number> | null = null;
  if (emotive !== null) {
    const symbols = new Set<string>([symbol]);
    for (const r of records) for (const event of r.events) for (const s of event) symbols.add(s);
    const sorted = [...symbols].sort(compareCodePoints);
    const [stats, affinities] = await Promise.all([source.symbolStats(sorted), source.affinities(sorted)]);
    weights = symbolWeights(sorted, affinities, stats, emotive);
  }

  const predictions = records.map((r): SingleSymbolPrediction => {
    const flat = r.events.flat();
    const evidence = 1 / flat.length;
    const confidence = 1.0;
    const snr = 1.0;
    const fragmentation = 0;
    let weighted: Pick<SingleSymbolPrediction, 'weighted_similarity' | 'weighted_evidence' | 'weighted_confidence' | 'weighted_snr'> = {
      weighted_similarity: null,
      weighted_evidence: null,
      weighted_confidence: null,
      weighted_snr: null,
    };
    if (weights) {
      const w = weights.get(symbol)!;
      const wPattern = totalWeight(flat, weights);
      weighted = {
        weighted_similarity: (2 * w) / (w + wPattern),
        weighted_evidence: w / wPattern,
        weighted_confidence: w / w,
        weighted_snr: 1,
      };
    }
    const E = weighted.weighted_evidence ?? evidence;
    const C = weighted.weighted_confidence ?? confidence;
    const S = weighted.weighted_snr ?? snr;
    return {
      name: r.name,
      pattern_data: r.events.map((e) => [...e]),
      length: flat.length,
      frequency: r.frequency > 0 ? r.frequency : 1,
      emotives: averageEmotives(r.emotives),
      matches: [symbol],
      missing: [],
      present: [symbol],
      past: [],
      future: flat.slice(1),
      extras: [],
      similarity: (2.0 * lcsLength(flat, [symbol])) / (flat.length + 1),
      evidence,
      confidence,
      snr,
      fragmentation,
      anomalies: [],
      ...weighted,
      potential: (E + C) * S + 1 / (fragmentation + 1),
    };
  });
  const key = FAST_PATH_KEYS.has(config.rank_sort_algo) ? config.rank_sort_algo : 'potential';
  return rankPredictions(predictions, key, config.max_predictions);
}
