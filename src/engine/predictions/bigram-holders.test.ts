import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { patternName } from '../names.js';
import type { Event } from '../types.js';
import { addToCandidateIndex, createCandidateIndex, renumberByName, slotEvents, type CandidateIndex } from './candidate-index.js';
import { markBigramHolders, mayOutrun } from './candidate-selection.js';

// The marks of `markBigramHolders` computed from each pattern's symbols alone.
function expectedMarks(index: CandidateIndex, idAt: Int32Array, levelCount: number): Set<number>[] {
  const n = idAt.length;
  const marks = Array.from({ length: levelCount }, () => new Set<number>());
  const inState = (id: number) => idAt.filter((x) => x === id).length;
  for (let slot = 0; slot < index.size; slot++) {
    const ids = slotEvents(index, slot)
      .flat()
      .map((symbol) => index.symbolIds.get(symbol)!);
    const count = (id: number) => ids.filter((x) => x === id).length;
    for (let s = 0; s + 1 < n; s++) {
      const a = idAt[s];
      const b = idAt[s + 1];
      if (a < 0 || b < 0) continue;
      for (let q = 0; q + 1 < ids.length; q++) {
        if (ids[q] !== a || ids[q + 1] !== b) continue;
        marks[2].add(slot);
        if (mayOutrun(a === b, inState(a), inState(b), count(a), count(b))) marks[1].add(slot);
        // The run matched from (q, s), and from (q − 1, s) when the pattern holds a before.
        let t = 2;
        while (s + t < n && q + t < ids.length && ids[q + t] === idAt[s + t]) t++;
        for (let k = 3; k <= t; k++) marks[k].add(slot);
        if (q > 0 && ids[q - 1] === a) {
          let before = 1;
          while (s + before < n && q - 1 + before < ids.length && ids[q - 1 + before] === idAt[s + before]) before++;
          if (before < t) marks[0].add(slot);
        }
      }
    }
  }
  return marks;
}

// How many state positions each slot can match: per state symbol, the fewer of the times the
// pattern and the state hold it.
function coveredCounts(index: CandidateIndex, idAt: Int32Array): number[] {
  return Array.from({ length: index.size }, (_, slot) => {
    const ids = slotEvents(index, slot)
      .flat()
      .map((symbol) => index.symbolIds.get(symbol)!);
    let covered = 0;
    for (const id of new Set(idAt)) {
      if (id >= 0) covered += Math.min(ids.filter((x) => x === id).length, idAt.filter((x) => x === id).length);
    }
    return covered;
  });
}

// The marks, with the covered counts in the planes, or every slot counted as covering three
// positions or more (`all`: each holder then gets every mark it can). Without `all`, the marks
// that may outrun are those of the slots covering three positions or more.
function marksOf(index: CandidateIndex, idAt: Int32Array, levelCount: number, all = true): Set<number>[] {
  const words = (index.size >>> 5) + 1;
  const planes = Array.from({ length: 5 }, () => new Int32Array(words));
  const covered = coveredCounts(index, idAt);
  for (let slot = 0; slot < index.size; slot++) {
    const count = all ? 4 : covered[slot];
    for (let plane = 0; plane < 5; plane++) if ((count >> plane) & 1) planes[plane][slot >>> 5] |= 1 << (slot & 31);
  }
  const levels = Array.from({ length: levelCount }, () => new Int32Array(words));
  markBigramHolders(index, idAt, planes, levels, words);
  return levels.map((bits, k) => {
    const slots = new Set<number>();
    for (let slot = 0; slot < index.size; slot++) {
      if ((bits[slot >>> 5] & (1 << (slot & 31))) !== 0 && (all || k !== 1 || covered[slot] >= 3)) slots.add(slot);
    }
    return slots;
  });
}

describe('bigram holders', () => {
  it('marks the holders of the state bigrams, their runs, pull-backs and outruns, read holder by holder or by bitsets', () => {
    // Few symbols, skewed, so that patterns repeat symbols and hold the state's runs.
    const symbol = fc.constantFrom('a', 'a', 'a', 'b', 'b', 'c', 'd', 'e');
    fc.assert(
      fc.property(
        fc.array(fc.array(symbol, { minLength: 1, maxLength: 9 }), { minLength: 1, maxLength: 150 }),
        fc.array(fc.oneof(symbol, fc.constant('unseen')), { minLength: 2, maxLength: 10 }),
        fc.integer({ min: 0, max: 150 }),
        fc.boolean(),
        (drawn, state, cut, renumber) => {
          const patterns = [...new Map(drawn.map((p) => p.map((s) => [s]) as Event[]).map((p) => [patternName(p), p])).values()];
          const indexes = [1, 3, 1_000_000].map((pairBitsMinimum) => {
            const index = createCandidateIndex({ bitsetMinimum: 1, pairBitsMinimum });
            for (const events of patterns.slice(0, cut)) addToCandidateIndex(index, patternName(events), events);
            if (renumber) renumberByName(index);
            return index;
          });
          const stateOf = (index: CandidateIndex) => {
            const idAt = Int32Array.from(state, (s) => {
              const id = index.symbolIds.get(s);
              return id !== undefined && index.postingLengths[id] > 0 ? id : -1;
            });
            let longestRun = 0;
            for (let j = 0, run = 0; j < idAt.length; j++) longestRun = Math.max(longestRun, (run = idAt[j] >= 0 ? run + 1 : 0));
            return { idAt, levelCount: Math.max(3, longestRun + 1) };
          };
          const results = indexes.map((index, k) => {
            // A first read builds the pairs' holders, bitsets and pull-backs; the patterns
            // added after it must reach them.
            if (k !== 2) {
              const { idAt, levelCount } = stateOf(index);
              marksOf(index, idAt, levelCount);
            }
            for (const events of patterns.slice(cut)) addToCandidateIndex(index, patternName(events), events);
            const { idAt, levelCount } = stateOf(index);
            const marks = marksOf(index, idAt, levelCount);
            const expected = expectedMarks(index, idAt, levelCount);
            expect(marks).toEqual(expected);
            // With the covered counts, holders covering two positions are passed over where
            // they can get no mark but the bigram's and a pull-back.
            const covered = coveredCounts(index, idAt);
            expected[1] = new Set([...expected[1]].filter((slot) => covered[slot] >= 3));
            expect(marksOf(index, idAt, levelCount, false)).toEqual(expected);
            return marks;
          });
          expect(results[0]).toEqual(results[2]);
        },
      ),
      { numRuns: 600 },
    );
  });

  it('marks the pull-backs of patterns holding a state bigram right after its first symbol', () => {
    // State a a b. Pattern 0, a a a b: from 0 it matches a a (2), from 1 a a b (3); pattern 1,
    // a a b a: a before the bigram (a, b); pattern 2, b a a: nothing before a a.
    for (const pairBitsMinimum of [1, 1_000_000]) {
      const index = createCandidateIndex({ bitsetMinimum: 1, pairBitsMinimum });
      for (const symbols of [['a', 'a', 'a', 'b'], ['a', 'a', 'b', 'a'], ['b', 'a', 'a']]) {
        const events = symbols.map((s) => [s]);
        addToCandidateIndex(index, patternName(events), events);
      }
      const [a, b] = ['a', 'b'].map((s) => index.symbolIds.get(s)!);
      const marks = marksOf(index, Int32Array.of(a, a, b), 4);
      expect(marks[0]).toEqual(new Set([0, 1]));
      expect(marks[3]).toEqual(new Set([0, 1]));
      expect(marks[2]).toEqual(new Set([0, 1, 2]));
    }
  });
});
