import { describe, expect, it } from 'vitest';
import { patternName } from '../names.js';
import type { NodeTotals, SymbolStats } from '../types.js';
import { learnInMemory, memoryKb, memorySource } from './memory-source.js';
import { precomputedMetrics, precomputedMetricsOfNode } from './precomputed.js';

const totals = (distinctSymbols: number, totalUniquePatterns: number): NodeTotals => ({
  totalSymbolsInPatternsFrequencies: 0,
  totalPatternFrequencies: totalUniquePatterns,
  totalUniquePatterns,
  distinctSymbols,
});

describe('precomputedMetrics', () => {
  it('measures the whole pattern, not only a present region', () => {
    // The golden KB: U = 2, N = 5, pmf a:2 b:2 c:1 x:1 d:1.
    const stats = new Map<string, SymbolStats>([
      ['a', { freq: 3, pmf: 2 }],
      ['b', { freq: 3, pmf: 2 }],
      ['c', { freq: 2, pmf: 1 }],
      ['x', { freq: 1, pmf: 1 }],
      ['d', { freq: 1, pmf: 1 }],
    ]);
    const m = precomputedMetrics([['a', 'x'], ['b'], ['d']], stats, totals(5, 2));
    // Four distinct symbols of 1/4 each: entropy log2(4) = 2; in base 5: log5(4).
    expect(m.entropy).toBe(2);
    expect(m.normalized_entropy).toBe(0.8613531161467861);
    // P(a) = P(b) = 1 add nothing; P(x) = P(d) = 0.5 add 0.5·log5(2) each.
    expect(m.global_normalized_entropy).toBe(0.43067655807339306);
    expect(m.tf_vector).toEqual({ a: 0.25, x: 0.25, b: 0.25, d: 0.25 });
  });

  it('counts repeats and gives 0 for base-N entropies when N ≤ 1', () => {
    const stats = new Map<string, SymbolStats>([['a', { freq: 2, pmf: 1 }]]);
    const m = precomputedMetrics([['a'], ['a']], stats, totals(1, 1));
    expect(m).toEqual({ entropy: 0, normalized_entropy: 0, global_normalized_entropy: 0, tf_vector: { a: 1 } });
  });

  it('computes every pattern of a node', async () => {
    const kb = memoryKb();
    learnInMemory(kb, [{ events: [['a'], ['b']] }, { events: [['b'], ['c'], ['b']] }]);
    const source = memorySource(kb);
    const stats = await source.symbolStats(['a', 'b', 'c']);
    const all = await precomputedMetricsOfNode(source.allPatterns(), stats, await source.totals());
    expect([...all.keys()].sort()).toEqual([patternName([['a'], ['b']]), patternName([['b'], ['c'], ['b']])].sort());
    expect(all.get(patternName([['b'], ['c'], ['b']]))!.tf_vector).toEqual({ b: 2 / 3, c: 1 / 3 });
  });
});
