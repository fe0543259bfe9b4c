import { describe, expect, it } from 'vitest';
import { matchedSize, sequenceMatcher } from './sequence-matcher.js';

const chars = (s: string) => Array.from(s);
const blocks = (a: string, b: string) => sequenceMatcher(chars(b)).blocks(chars(a)).map((m) => [m.i, m.j, m.size]);

describe('sequenceMatcher', () => {
  // Expected blocks are those difflib.SequenceMatcher(None, a, b, autojunk=False) reports.
  it.each([
    ['abxcd', 'abcd', [[0, 0, 2], [3, 2, 2]]],
    ['qabxcd', 'abycdf', [[1, 0, 2], [4, 3, 2]]],
    [' abcd', 'abcd abcd', [[0, 4, 5]]],
    ['abab', 'baba', [[0, 1, 3]]],
    ['banana', 'ananas', [[1, 0, 5]]],
    ['mississippi', 'sip', [[6, 0, 3]]],
    ['aXbXc', 'abc', [[0, 0, 1], [2, 1, 1], [4, 2, 1]]],
    ['abc', '', []],
    ['', 'abc', []],
  ])('aligns %j against %j', (a, b, expected) => {
    expect(blocks(a, b)).toEqual(expected);
  });

  it('takes the earliest block among equally long ones (strict >)', () => {
    // x@0 pairs with x@1 of b first; y@1 pairing with y@0 is as long and comes later.
    expect(blocks('xy', 'yx')).toEqual([[0, 1, 1]]);
    const m = sequenceMatcher(chars('aa'));
    expect(m.longestMatch(chars('aaaa'), 0, 4, 0, 2)).toEqual({ i: 0, j: 0, size: 2 });
  });

  it('keeps the first occurrence with repeated symbols', () => {
    // Pattern [a,a,b,b,c] against state [a,b]: the run a,b at pattern position 1 wins.
    expect(blocks('aabbc', 'ab')).toEqual([[1, 0, 2]]);
    // A cyclic pattern: the earliest A,B is taken.
    expect(blocks('ABCABCA', 'AB')).toEqual([[0, 0, 2]]);
    expect(blocks('aaaa', 'aa')).toEqual([[0, 0, 2]]);
  });

  it('recurses only into the sub-ranges left and right of each block', () => {
    // The first block (a@0, a@2 of b) leaves nothing on the left and an empty b range on the
    // right, so the common subsequence "ca" is not found: blocks cover less than the LCS.
    expect(blocks('abcabc', 'cba')).toEqual([[0, 2, 1]]);
  });

  it('restricts a longest match to the given ranges', () => {
    const m = sequenceMatcher(chars('abcd abcd'));
    expect(m.longestMatch(chars(' abcd'), 0, 5, 0, 9)).toEqual({ i: 0, j: 4, size: 5 });
    expect(m.longestMatch(chars(' abcd'), 1, 5, 0, 4)).toEqual({ i: 1, j: 0, size: 4 });
    expect(m.longestMatch(chars(' abcd'), 0, 1, 0, 4)).toEqual({ i: 0, j: 0, size: 0 });
  });

  it('is reusable across first sequences and counts matched elements', () => {
    const m = sequenceMatcher(['a', 'b', 'c']);
    expect(matchedSize(m.blocks(['a', 'x', 'b']))).toBe(2);
    expect(matchedSize(m.blocks(['c']))).toBe(1);
    expect(m.blocks(['z'])).toEqual([]);
  });
});
