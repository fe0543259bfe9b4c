import { describe, expect, it } from 'vitest';
import { seededRandom } from '../engine/random.js';
import { ValidationError } from '../errors.js';
import { sampleIndex, softmax } from './sampling.js';

describe('softmax', () => {
  it('weights scores by exp(score / temperature), summing to 1', () => {
    const w = softmax([2, 1, 0], 1);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(w[0] / w[1]).toBeCloseTo(Math.E, 12);
    expect(w[1] / w[2]).toBeCloseTo(Math.E, 12);
  });

  it('sharpens with a low temperature and flattens with a high one', () => {
    expect(softmax([1, 0], 0.01)[0]).toBeGreaterThan(0.999);
    expect(softmax([1, 0], 1000)[0]).toBeCloseTo(0.5, 3);
  });

  it('does not overflow on large scores', () => {
    expect(softmax([1e6, 1e6 - 1], 1).every(Number.isFinite)).toBe(true);
  });

  it('rejects a temperature that is not positive', () => {
    expect(() => softmax([1], 0)).toThrow(ValidationError);
    expect(() => softmax([1], Number.NaN)).toThrow(/temperature must be greater than 0/);
  });
});

describe('sampleIndex', () => {
  it('draws the same indices for the same seed', () => {
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 20 }, () => sampleIndex([3, 2, 2, 1], { seed, temperature: 1 }, random));
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('draws only among the top k', () => {
    const random = seededRandom(1);
    for (let i = 0; i < 200; i++) expect(sampleIndex([1, 1, 1, 1, 1], { seed: 1, temperature: 1, topK: 2 }, random)).toBeLessThan(2);
  });

  it('follows the softmax weights', () => {
    const random = seededRandom(3);
    const counts = [0, 0];
    for (let i = 0; i < 4000; i++) counts[sampleIndex([Math.log(3), 0], { seed: 3, temperature: 1 }, random)]++;
    // Weights 3:1, so about 3000 of 4000 draws pick the first.
    expect(counts[0]).toBeGreaterThan(2800);
    expect(counts[0]).toBeLessThan(3200);
  });
});
