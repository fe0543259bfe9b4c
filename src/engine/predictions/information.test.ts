import { describe, expect, it } from 'vitest';
import {
  chanceProbability,
  classicExpectation,
  counts,
  entropy,
  expectation,
  globalNormalizedEntropy,
  normalizedEntropy,
  tfidfScore,
} from './information.js';

const table = (entries: Record<string, number>) => (s: string) => entries[s];

describe('entropies', () => {
  it('weighs each probability by its logarithm', () => {
    expect(classicExpectation(0.5)).toBe(0.5);
    expect(classicExpectation(0)).toBe(0);
    expect(expectation(0.5, 10)).toBe(0.15051499783199057);
    expect(expectation(0.25, 4)).toBe(0.25);
    expect(expectation(0.5, 1)).toBe(0);
  });

  it('computes entropy over occurrence counts in first-appearance order', () => {
    expect([...counts(['b', 'a', 'b'])]).toEqual([['b', 2], ['a', 1]]);
    expect(entropy(['a', 'b'])).toBe(1);
    expect(entropy(['a', 'a'])).toBe(0);
    expect(entropy(['a', 'x', 'b'])).toBe(1.584962500721156);
    expect(entropy(['a', 'a', 'b', 'c'])).toBe(1.5);
    expect(entropy([])).toBe(0);
  });

  it('normalises by the node’s number of distinct symbols', () => {
    expect(normalizedEntropy(['a', 'b'], 5)).toBe(0.43067655807339306);
    expect(normalizedEntropy(['a', 'x', 'b'], 5)).toBe(0.6826061944859854);
    expect(normalizedEntropy(['a', 'b'], 1)).toBe(0);
  });

  it('sums global probabilities over the distinct symbols that have one', () => {
    const p = table({ a: 1, x: 0.5, b: 1 });
    expect(globalNormalizedEntropy(['a', 'x', 'b', 'x'], p, 5)).toBe(0.21533827903669653);
    expect(globalNormalizedEntropy(['a', 'b'], p, 5)).toBe(0);
    expect(globalNormalizedEntropy(['q'], p, 5)).toBe(0);
  });
});

describe('tfidfScore', () => {
  it('averages tf·(log2(U/n) + 1) with n = int(P·U)', () => {
    const p = table({ a: 1, x: 0.5, b: 1 });
    expect(tfidfScore(new Map([['a', 0.5], ['b', 0.5]]), p, 2)).toBe(0.5);
    expect(tfidfScore(new Map([['a', 1 / 3], ['x', 1 / 3], ['b', 1 / 3]]), p, 2)).toBe(0.4444444444444444);
  });

  it('counts a symbol without probability, or truncating to 0, as in one pattern', () => {
    // U = 4: n = 1 → idf = log2(4) + 1 = 3.
    expect(tfidfScore(new Map([['q', 1]]), table({}), 4)).toBe(3);
    expect(tfidfScore(new Map([['z', 1]]), table({ z: 0.1 }), 4)).toBe(3);
    // P·U truncates: (3/7)·7 is 3 in doubles, so n = 3 → log2(7/3) + 1.
    expect(tfidfScore(new Map([['t', 1]]), table({ t: 3 / 7 }), 7)).toBe(Math.log2(7 / Math.trunc((3 / 7) * 7)) + 1);
    expect(tfidfScore(new Map(), table({}), 4)).toBe(0);
    expect(tfidfScore(new Map([['a', 1]]), table({ a: 1 }), 0)).toBe(0);
  });
});

describe('chanceProbability', () => {
  it('multiplies through 10 ** Σ log10, with 1e-10 for unknown or zero probabilities', () => {
    const p = table({ a: 1, x: 0.5, b: 1, z: 0 });
    expect(chanceProbability(['a', 'x', 'b'], p)).toBe(0.5);
    expect(chanceProbability(['q'], p)).toBe(1e-10);
    expect(chanceProbability(['z'], p)).toBe(1e-10);
    // 0.5·0.5·0.2 through logarithms is 0.04999999999999999, not 0.05.
    expect(chanceProbability(['x', 'x', 'y'], table({ x: 0.5, y: 0.2 }))).toBe(0.04999999999999999);
    expect(chanceProbability([], p)).toBe(0);
  });
});
