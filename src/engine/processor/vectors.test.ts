import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors.js';
import { numpyArrayStr } from './numpy-str.js';
import { nearestVectors, perceptVector, vectorName, vectorsToIndex } from './vectors.js';

// Printed by NumPy 2.4 (`str(np.array(v, dtype=np.float64))`): hand-picked edge cases (rounding
// ties, exponent switches, wrapping, summarisation, -0.0) followed by random vectors.
const fixtures: { v: number[]; s: string }[] = JSON.parse(
  readFileSync(new URL('./numpy-str.fixtures.json', import.meta.url), 'utf8'),
);

describe('numpyArrayStr', () => {
  it('prints every fixture exactly as NumPy does', () => {
    const wrong = fixtures.filter((f) => numpyArrayStr(f.v) !== f.s).map((f) => ({ v: f.v, want: f.s, got: numpyArrayStr(f.v) }));
    expect(wrong).toEqual([]);
    expect(fixtures.length).toBeGreaterThan(100);
  });

  it('prints the spec Appendix B texts', () => {
    expect(numpyArrayStr([1, 2, 3])).toBe('[1. 2. 3.]');
    expect(numpyArrayStr([0.95, 0.05, 0, 0])).toBe('[0.95 0.05 0.   0.  ]');
    expect(numpyArrayStr(Array.from({ length: 12 }, (_, i) => i))).toBe('[ 0.  1.  2.  3.  4.  5.  6.  7.  8.  9. 10. 11.]');
    expect(numpyArrayStr([1e-5, 1])).toBe('[1.e-05 1.e+00]');
    expect(numpyArrayStr([123456789, 1.5])).toBe('[1.23456789e+08 1.50000000e+00]');
  });

  it('rounds cut-off digits half to even on the exact binary value', () => {
    expect(numpyArrayStr([0.001953125, 1])).toBe('[0.00195312 1.        ]');
    expect(numpyArrayStr([1 / 3, 2 / 3, -1])).toBe('[ 0.33333333  0.66666667 -1.        ]');
  });

  it('prints an empty array as []', () => {
    expect(numpyArrayStr([])).toBe('[]');
  });
});

describe('vector names (spec Appendix B)', () => {
  const names: [number[], string][] = [
    [[1, 2, 3], 'fe5de4472f7e4d5c9cdd19cadebfa06fe3da8e43'],
    [[0.5, 0.5], '5fd4ba00d0f8c4cf90ef2ba613c34939835927e1'],
    [[1, 0, 0], '9d58821e286eae6a77923d694a12ede7cbeabfbd'],
    [[0.95, 0.05, 0, 0], 'dae5102542c0f166eb0ed402f65359bf4b9a2e74'],
    [[0.1, 0.2, 0.3, 0.4], 'e8ffab17b31d6f646dd30d2e0c971cf178730267'],
    [Array.from({ length: 12 }, (_, i) => i), 'd68a86cb4fde71bc8147a6781beeb4717272cb74'],
    [[1e-5, 1], 'db4d58e9dcc12fc54db9cdf0d30e335dd650407e'],
    [[123456789, 1.5], '763fd42570c1d03c5c524db174a40cac956810d9'],
  ];
  it.each(names)('names %j', (vector, hash) => {
    expect(vectorName(vector)).toBe(`VCTR|${hash}`);
  });

  it('names two summed vectors like the vector of their printed sum', () => {
    expect(vectorName(perceptVector([[0.1, 0.2], [0.3, 0.4]]))).toBe(vectorName([0.4, 0.6]));
  });
});

describe('perceptVector', () => {
  it('sums element-wise and broadcasts a length-1 vector', () => {
    expect(perceptVector([[1, 2, 3], [1, 1, 1]])).toEqual([2, 3, 4]);
    expect(perceptVector([[1], [1, 2, 3]])).toEqual([2, 3, 4]);
    expect(perceptVector([[1, 2, 3], [10]])).toEqual([11, 12, 13]);
  });

  it('refuses vectors of different lengths, naming the field and the lengths', () => {
    let error: unknown;
    try {
      perceptVector([[1, 2], [1, 2, 3]]);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(/^vectors:/);
    expect((error as ValidationError).details).toMatchObject({ field: 'vectors', index: 1, expected: 2, actual: 3 });
  });

  it('refuses a sum that overflows', () => {
    expect(() => perceptVector([[1e308], [1e308]])).toThrow(/infinite/);
  });
});

describe('nearestVectors', () => {
  const stored = new Map<string, number[]>([
    ['VCTR|far', [10, 10]],
    ['VCTR|b', [1, 0]],
    ['VCTR|a', [0, 1]],
    ['VCTR|near', [0.1, 0.1]],
    ['VCTR|3d', [0, 0, 0]],
  ]);

  it('returns the three nearest of the same dimension, with no distance threshold, ties by name', () => {
    expect(nearestVectors([0, 0], stored)).toEqual(['VCTR|near', 'VCTR|a', 'VCTR|b']);
    expect(nearestVectors([100, 100], new Map([['VCTR|x', [0, 0]]]))).toEqual(['VCTR|x']);
  });

  it('finds nothing in a collection of another dimension', () => {
    expect(nearestVectors([1, 2, 3, 4], stored)).toEqual([]);
  });
});

describe('vectorsToIndex', () => {
  it("fixes the collection's dimension by its first vector and skips others", () => {
    const deferred = new Map([
      ['VCTR|a', [1, 0]],
      ['VCTR|b', [1, 0, 0]],
      ['VCTR|c', [0, 1]],
    ]);
    expect([...vectorsToIndex(new Map(), deferred).keys()]).toEqual(['VCTR|a', 'VCTR|c']);
    expect([...vectorsToIndex(new Map([['VCTR|z', [0, 0, 0]]]), deferred).keys()]).toEqual(['VCTR|b']);
  });

  it('skips names already stored', () => {
    expect(vectorsToIndex(new Map([['VCTR|a', [1, 0]]]), new Map([['VCTR|a', [1, 0]]])).size).toBe(0);
  });
});
