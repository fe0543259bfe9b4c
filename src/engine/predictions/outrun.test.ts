import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mayOutrun } from './candidate-selection.js';
import { sequenceMatcher } from './sequence-matcher.js';
import { lcsLength } from './similarity.js';

// The features the selection reads of a pattern P against a state S: positions covered, the
// longest common substring, whether a block might pull back, and the state bigrams P holds.
function features(P: string[], S: string[]) {
  const inP = new Map<string, number>();
  const inS = new Map<string, number>();
  for (const x of P) inP.set(x, (inP.get(x) ?? 0) + 1);
  for (const x of S) inS.set(x, (inS.get(x) ?? 0) + 1);
  let covered = 0;
  for (const [x, count] of inP) covered += Math.min(count, inS.get(x) ?? 0);
  let longest = 0;
  let pull = false;
  const bigrams = new Set<string>();
  for (let j = 0; j + 1 < S.length; j++) {
    for (let q = 0; q + 1 < P.length; q++) {
      if (P[q] !== S[j] || P[q + 1] !== S[j + 1]) continue;
      bigrams.add(`${P[q]} ${P[q + 1]}`);
      let t = 2;
      while (j + t < S.length && q + t < P.length && P[q + t] === S[j + t]) t++;
      longest = Math.max(longest, t);
      if (q > 0 && P[q - 1] === S[j]) {
        let before = 1;
        while (j + before < S.length && P[q - 1 + before] === S[j + before]) before++;
        if (before < t) pull = true;
      }
    }
  }
  return { inP, inS, covered, longest, pull, bigrams };
}

describe('mayOutrun', () => {
  it('is true whenever a pattern covering three positions, aligned as one bigram, has an LCS of three', () => {
    // Small alphabets make repeated symbols, the only way the LCS can pass the alignment.
    const symbol = fc.constantFrom('a', 'a', 'b', 'b', 'c', 'd');
    const sequence = fc.array(symbol, { minLength: 2, maxLength: 9 });
    let cases = 0;
    fc.assert(
      fc.property(sequence, fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'x'), { minLength: 2, maxLength: 9 }), (S, P) => {
        const { inP, inS, covered, longest, pull, bigrams } = features(P, S);
        if (covered !== 3 || longest !== 2 || pull) return;
        const blocks = sequenceMatcher(S).blocks(P);
        if (blocks.length !== 1 || blocks[0].size !== 2) return;
        cases++;
        const safe = [...bigrams].every((bigram) => {
          const [a, b] = bigram.split(' ');
          return !mayOutrun(a === b, inS.get(a)!, inS.get(b)!, inP.get(a)!, inP.get(b)!);
        });
        if (safe) expect(lcsLength(P, S)).toBeLessThanOrEqual(2);
      }),
      { numRuns: 200_000 },
    );
    // The property ran on enough aligned cases to mean something.
    expect(cases).toBeGreaterThan(1000);
  });

  it('says maybe for the shapes that do outrun', () => {
    const outruns = (p: string, s: string) => {
      const [P, S] = [Array.from(p), Array.from(s)];
      return { blocks: sequenceMatcher(S).blocks(P), lcs: lcsLength(P, S) };
    };
    // d a once each in the state, twice each in the pattern: the block is the first "d a", b
    // crosses it, and b, d, a is common.
    expect(outruns('dabxdba', 'bda')).toEqual({ blocks: [{ i: 0, j: 1, size: 2 }], lcs: 3 });
    expect(mayOutrun(false, 1, 1, 2, 2)).toBe(true);
    expect(mayOutrun(false, 2, 1, 1, 2)).toBe(true);
    expect(mayOutrun(false, 1, 1, 1, 2)).toBe(false);
    expect(mayOutrun(false, 2, 1, 1, 1)).toBe(false);
    // b b twice in the state (in a row), four times in the pattern: a crosses the block "b b",
    // and a, b, b is common.
    expect(outruns('bbcabcb', 'aabb')).toEqual({ blocks: [{ i: 0, j: 2, size: 2 }], lcs: 3 });
    expect(mayOutrun(true, 2, 2, 4, 4)).toBe(true);
    expect(mayOutrun(true, 2, 2, 3, 3)).toBe(false);
    expect(mayOutrun(true, 3, 3, 3, 3)).toBe(true);
    expect(mayOutrun(true, 4, 4, 2, 2)).toBe(true);
  });
});
