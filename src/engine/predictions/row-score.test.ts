import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Event, SessionConfig } from '../types.js';
import { matchContext, matchPattern } from './match.js';
import { scoreRows } from './row-score.js';

const base = {
  recall_threshold: 0.1,
  use_token_matching: true,
  filter_pipeline: [] as string[],
  length_min_ratio: 0.5,
  length_max_ratio: 2.0,
  jaccard_threshold: 0.3,
  jaccard_min_overlap: 2,
  minhash_threshold: 0.7,
} as SessionConfig;

// The rows of a pattern against a state: per flat pattern position, the state positions holding its symbol.
function rowsOf(events: Event[], state: string[]): Int32Array {
  return Int32Array.from(events.flat().map((s) => state.reduce((mask, t, j) => (t === s ? mask | (1 << j) : mask), 0)));
}

function both(events: Event[], stm: Event[], config: SessionConfig) {
  const ctx = matchContext(stm, config);
  const flat = events.flat();
  const match = matchPattern({ name: '', events, length: flat.length, frequency: 1, emotives: [], metadata: {} }, ctx);
  const scored = scoreRows(rowsOf(events, ctx.state as string[]), flat.length, events.map((e) => e.length), new Set(flat).size, {
    stateLength: ctx.state.length,
    recallThreshold: ctx.recallThreshold,
    pipeline: ctx.pipeline,
  });
  return { expected: match ? { passes: true, pre: match.pre, similarity: match.similarity } : { passes: false, pre: 0, similarity: 0 }, scored };
}

describe('scoreRows', () => {
  it('scores worked cases like matchPattern', () => {
    const cases: [Event[], Event[]][] = [
      [[['a'], ['x'], ['b'], ['c']], [['a'], ['b'], ['z']]],
      [[['a', 'a', 'b', 'b', 'c']], [['a', 'b']]],
      [[['t'], ['t'], ['u']], [['t'], ['u']]],
      [[['a', 'x'], ['b'], ['d']], [['a'], ['b']]],
      [[['q'], ['r']], [['a'], ['b']]],
    ];
    for (const [events, stm] of cases) {
      const { expected, scored } = both(events, stm, base);
      expect(scored).toEqual(expected);
    }
  });

  it('agrees with matchPattern on random patterns, states and pipelines', () => {
    const symbol = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
    const event = fc.array(symbol, { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(
        fc.array(event, { minLength: 1, maxLength: 7 }),
        fc.array(fc.array(symbol, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 6 }),
        fc.constantFrom(0.05, 0.1, 0.3),
        fc.constantFrom<string[]>([], ['length'], ['jaccard'], ['minhash', 'rapidfuzz']),
        (events, stm, threshold, pipeline) => {
          const { expected, scored } = both(events, stm, { ...base, recall_threshold: threshold, filter_pipeline: pipeline });
          expect(scored).toEqual(expected);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
