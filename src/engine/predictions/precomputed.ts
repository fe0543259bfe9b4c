/**
 * Finalize-training's per-pattern metrics (server spec §7.7): entropies and the tf vector over
 * the whole pattern, which then replace the runtime values computed over the present events.
 */
import type { Event, NodeTotals, PatternRecord, PrecomputedMetrics, SymbolStats } from '../types.js';
import { counts, entropy, globalNormalizedEntropy, normalizedEntropy } from './information.js';

/**
 * The stored metrics of one pattern: `stats` must hold every symbol of the pattern that the node
 * knows (`P(s) = pmf/U`), `totals` the node's counters (N = distinct symbols, U = unique patterns).
 */
export function precomputedMetrics(events: readonly Event[], stats: ReadonlyMap<string, SymbolStats>, totals: NodeTotals): PrecomputedMetrics {
  const flat = events.flat();
  const N = totals.distinctSymbols;
  const U = totals.totalUniquePatterns;
  const probability = (s: string) => {
    const entry = stats.get(s);
    return entry && U > 0 ? entry.pmf / U : undefined;
  };
  const tf_vector: Record<string, number> = {};
  for (const [s, c] of counts(flat)) tf_vector[s] = c / flat.length;
  return {
    entropy: entropy(flat),
    normalized_entropy: normalizedEntropy(flat, N),
    global_normalized_entropy: globalNormalizedEntropy(flat, probability, N),
    tf_vector,
  };
}

/** The stored metrics of every pattern of a node, by name (the finalize-training pass). */
export async function precomputedMetricsOfNode(
  patterns: AsyncIterable<PatternRecord>,
  stats: ReadonlyMap<string, SymbolStats>,
  totals: NodeTotals,
): Promise<Map<string, PrecomputedMetrics>> {
  const out = new Map<string, PrecomputedMetrics>();
  for await (const p of patterns) out.set(p.name, precomputedMetrics(p.events, stats, totals));
  return out;
}
