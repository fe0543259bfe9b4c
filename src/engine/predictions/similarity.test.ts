import { describe, expect, it } from 'vitest';
import { characterSimilarity, fuzzRatio, lcsLength, tokenRatio, tokenSimilarity } from './similarity.js';

describe('lcsLength', () => {
  it('measures the longest common subsequence', () => {
    expect(lcsLength(['a', 'b', 'c', 'a', 'b', 'c'], ['c', 'b', 'a'])).toBe(2);
    expect(lcsLength(['a', 'x', 'b', 'd'], ['a', 'b'])).toBe(2);
    expect(lcsLength([], ['a'])).toBe(0);
    expect(lcsLength(Array.from('lewenstein'), Array.from('levenshtein'))).toBe(9);
  });
});

describe('tokenSimilarity', () => {
  it('goes through the 0–100 score and back, as the reference does', () => {
    // 2·2/6 = 0.6666666666666666 directly; ×100 then ÷100 gives the reference's last bit.
    expect(tokenSimilarity(2, 4, 2)).toBe(0.6666666666666665);
    expect(tokenSimilarity(2, 3, 2)).toBe(0.8);
    expect(tokenSimilarity(2, 5, 2)).toBe(0.5714285714285714);
    expect(tokenSimilarity(1, 8, 8)).toBe(0.125);
    expect(tokenSimilarity(3, 3, 3)).toBe(1);
  });
});

describe('fuzzRatio', () => {
  it('is (1 − indel/lensum)·100 over code points', () => {
    // bannana/banana: lensum 13, LCS 6, indel 1 → (1 − 1/13)·100.
    expect(fuzzRatio('bannana', 'banana')).toBe(92.3076923076923);
    // chery/cherry: lensum 11, LCS 5, indel 1.
    expect(fuzzRatio('chery', 'cherry')).toBe(90.9090909090909);
    expect(fuzzRatio('this is a test', 'this is a test!')).toBe(96.55172413793103);
    expect(fuzzRatio('', '')).toBe(100);
    expect(fuzzRatio('abc', '')).toBe(0);
    // One astral code point counts once.
    expect(fuzzRatio('😀a', '😀b')).toBe(50);
  });

  it('gives the token ratio and the character similarity in [0, 1]', () => {
    expect(tokenRatio('apple', 'apple')).toBe(1);
    expect(tokenRatio('chery', 'cherry')).toBe(0.9090909090909091);
    expect(tokenRatio('bannana', 'banana')).toBe(0.923076923076923);
    expect(characterSimilarity(['hello', 'world'], ['hello', 'world'])).toBe(1);
    // "ab" against "ab cd": lensum 7, LCS 2 → (1 − 3/7)·100 / 100.
    expect(characterSimilarity(['ab'], ['ab', 'cd'])).toBe(0.5714285714285714);
  });
});
