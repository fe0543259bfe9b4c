import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { canonicalJson, configDifferences, configHash, parseHierarchy } from './config.js';

describe('parseHierarchy', () => {
  it('defaults to 4 levels of chunk 8', () => {
    expect(parseHierarchy(undefined, undefined)).toEqual({ levels: 4, chunks: [8, 8, 8, 8], remainder: 'merge' });
  });

  it('gives one --chunks size to every level: the default 4 levels without --levels', () => {
    expect(parseHierarchy('4', undefined)).toEqual({ levels: 4, chunks: [4, 4, 4, 4], remainder: 'merge' });
    expect(parseHierarchy('4', '2')).toEqual({ levels: 2, chunks: [4, 4], remainder: 'merge' });
    expect(parseHierarchy('4', '1')).toEqual({ levels: 1, chunks: [4], remainder: 'merge' });
  });

  it('takes the level count from several --chunks sizes, or repeats a single size over --levels', () => {
    expect(parseHierarchy('6,5,4', undefined)).toEqual({ levels: 3, chunks: [6, 5, 4], remainder: 'merge' });
    expect(parseHierarchy('5', '3')).toEqual({ levels: 3, chunks: [5, 5, 5], remainder: 'merge' });
    expect(parseHierarchy(undefined, '2', 'drop')).toEqual({ levels: 2, chunks: [8, 8], remainder: 'drop' });
  });

  it.each([
    ['8,8,x', undefined, /--chunks must be a whole number from 2 to 1024; got 'x' in '8,8,x'/],
    ['8,,8', undefined, /comma-separated chunk sizes/],
    ['8,1', undefined, /got '1' in '8,1'/],
    ['8,8', '3', /--chunks gives 2 sizes but --levels is 3/],
    [undefined, '0', /--levels must be a whole number from 1 to 16; got '0'/],
    [undefined, 'four', /--levels must be a whole number/],
  ])('rejects --chunks %s --levels %s', (chunks, levels, message) => {
    expect(() => parseHierarchy(chunks, levels)).toThrow(ValidationError);
    expect(() => parseHierarchy(chunks, levels)).toThrow(message);
  });

  it('rejects an unknown remainder policy', () => {
    expect(() => parseHierarchy(undefined, undefined, 'pad')).toThrow(/--remainder must be 'merge' or 'drop'; got 'pad'/);
  });
});

describe('config hash', () => {
  it('does not depend on key order and changes with any value', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: 'x' }] })).toBe('{"a":[1,{"c":"x","d":2}],"b":1}');
    expect(configHash({ a: 1, b: 2 })).toBe(configHash({ b: 2, a: 1 }));
    expect(configHash({ a: 1, b: 2 })).not.toBe(configHash({ a: 1, b: 3 }));
    expect(configHash({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('lists differing fields by path', () => {
    const stored = { chunks: [8, 8, 8], levels: 3, dataset: { spec: 'brown', minChars: 1 }, tokenizer: { name: 'gpt2' } };
    const requested = { chunks: [8, 8], levels: 2, dataset: { spec: 'brown', minChars: 1 }, tokenizer: { name: 'gpt2' } };
    expect(configDifferences(stored, requested)).toEqual([
      { field: 'chunks.2', stored: 8, requested: undefined },
      { field: 'levels', stored: 3, requested: 2 },
    ]);
    expect(configDifferences(stored, stored)).toEqual([]);
  });
});
