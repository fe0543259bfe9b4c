import { describe, expect, it } from 'vitest';
import { memoPredictor } from './predictor.js';
import type { Candidate, GenerationKb, PredictQuery } from './types.js';

const query: PredictQuery = { recallThreshold: 0.5, maxPredictions: 3, rankBy: 'potential' };

function countingKb(fail = 0): GenerationKb & { calls: number } {
  const kb = {
    calls: 0,
    predict: async (): Promise<Candidate[]> => {
      kb.calls++;
      if (kb.calls <= fail) throw new Error('unavailable');
      return [];
    },
    getPatterns: async () => new Map(),
    close: async () => undefined,
  };
  return kb;
}

describe('memoPredictor', () => {
  it('asks the KB once per level, STM and query', async () => {
    const kb = countingKb();
    const predict = memoPredictor(kb);
    await predict(0, [['a'], ['b']], query);
    await predict(0, [['a'], ['b']], query);
    expect(kb.calls).toBe(1);
    await predict(1, [['a'], ['b']], query);
    await predict(0, [['a'], ['c']], query);
    await predict(0, [['a'], ['b']], { ...query, maxPredictions: 4 });
    await predict(0, [['a', 'b']], query);
    expect(kb.calls).toBe(5);
  });

  it('forgets the least recently used answer beyond its capacity', async () => {
    const kb = countingKb();
    const predict = memoPredictor(kb, 2);
    await predict(0, [['a']], query);
    await predict(0, [['b']], query);
    await predict(0, [['a']], query);
    await predict(0, [['c']], query);
    await predict(0, [['a']], query);
    expect(kb.calls).toBe(3);
    await predict(0, [['b']], query);
    expect(kb.calls).toBe(4);
  });

  it('does not remember a failure', async () => {
    const kb = countingKb(1);
    const predict = memoPredictor(kb);
    await expect(predict(0, [['a']], query)).rejects.toThrow('unavailable');
    await expect(predict(0, [['a']], query)).resolves.toEqual([]);
    expect(kb.calls).toBe(2);
  });
});
