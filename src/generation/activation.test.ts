import { describe, expect, it } from 'vitest';
import { chunkEvents, patternName } from '../engine/names.js';
import type { Event } from '../engine/types.js';
import { activate, chunkQuery, ensembleEvent, likelyLayouts, phaseLayouts, recallFor, upperQuery, upperStm } from './activation.js';
import type { PatternReader } from './pattern-cache.js';
import type { Predictor } from './predictor.js';
import type { Candidate, HierarchyShape, PredictQuery } from './types.js';

const name = (i: number): string => i.toString(16).padStart(40, '0');

function candidate(level: number, n: number, matches: string[] = ['x'], rank = 0): Candidate {
  return {
    level,
    name: name(n),
    frequency: 1,
    events: [['a'], ['b']],
    pastEvents: 0,
    presentEvents: 1,
    matches,
    similarity: 0.5,
    potential: 1,
    score: 1,
    rank,
  };
}

/** A reader that knows the given level-0 patterns only. */
function readerOf(known: Map<string, Event[]>): PatternReader {
  return {
    read: async (level, names) => new Map(names.filter((n) => level === 0 && known.has(n)).map((n) => [n, known.get(n)!])),
    stats: () => ({ hits: 0, misses: 0, requests: 0 }),
  };
}

interface Call {
  level: number;
  stm: Event[];
  query: PredictQuery;
}

/** A predictor answering from `answer`, recording every call. */
function recording(answer: (call: Call) => Candidate[]): { predict: Predictor; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    predict: async (level, stm, query) => {
      const call = { level, stm: stm.map((e) => [...e]), query };
      calls.push(call);
      return answer(call);
    },
  };
}

const shape: HierarchyShape = { levels: 3, chunks: [4, 3, 2], normalizer: 'none' };

describe('phaseLayouts', () => {
  it('cuts a window at every offset congruent to the phase and names each piece', () => {
    const layouts = phaseLayouts(10, 4);
    expect(layouts.map((l) => l.phase)).toEqual([0, 1, 2, 3]);
    expect(layouts[0].segments).toEqual([
      { start: 0, end: 4, kind: 'complete' },
      { start: 4, end: 8, kind: 'complete' },
      { start: 8, end: 10, kind: 'tail' },
    ]);
    expect(layouts[3].segments).toEqual([
      { start: 0, end: 3, kind: 'head' },
      { start: 3, end: 7, kind: 'complete' },
      { start: 7, end: 10, kind: 'tail' },
    ]);
  });

  it('ends on a complete chunk when the window ends on a boundary', () => {
    expect(phaseLayouts(9, 4)[1].segments).toEqual([
      { start: 0, end: 1, kind: 'head' },
      { start: 1, end: 5, kind: 'complete' },
      { start: 5, end: 9, kind: 'complete' },
    ]);
  });

  it('gives one layout for all the phases that put no boundary inside a short window', () => {
    const layouts = phaseLayouts(3, 8);
    // Phases 0–3 cut the window differently; 4–7 all leave it inside one chunk.
    expect(layouts.map((l) => l.phase)).toEqual([0, 1, 2, 3, 4]);
    expect(layouts[3].segments).toEqual([{ start: 0, end: 3, kind: 'head' }]);
    expect(layouts[4].segments).toEqual([{ start: 0, end: 3, kind: 'inner' }]);
  });

  it('covers the window exactly, in order, under every phase', () => {
    for (let length = 1; length <= 20; length++) {
      for (const layout of phaseLayouts(length, 5)) {
        let at = 0;
        for (const s of layout.segments) {
          expect(s.start).toBe(at);
          expect(s.end).toBeGreaterThan(s.start);
          if (s.kind === 'complete') expect(s.end - s.start).toBe(5);
          at = s.end;
        }
        expect(at).toBe(length);
      }
    }
  });
});

// KATO's token-mode similarity of patterns of `pattern` symbols sharing `lcs` with a state (§8.3.2).
const tokenSimilarity = (lcs: number, pattern: number, state: number): number => ((2.0 * lcs) / (pattern + state)) * 100.0 / 100.0;

describe('recall thresholds', () => {
  it('keep a longest learned pattern sharing exactly the needed symbols, and drop one sharing fewer', () => {
    for (const chunk of [2, 4, 8, 16]) {
      for (let state = 1; state <= 40; state++) {
        for (let need = 1; need <= Math.min(state, chunk); need++) {
          const threshold = recallFor(need, chunk, state);
          expect(tokenSimilarity(need, chunk + 1, state)).toBeGreaterThanOrEqual(threshold);
          expect(tokenSimilarity(need - 1, chunk + 1, state)).toBeLessThan(threshold);
          expect(tokenSimilarity(need, chunk, state)).toBeGreaterThanOrEqual(threshold);
        }
      }
    }
  });

  it('asks level 0 for three quarters of a chunk, ranked by potential', () => {
    const query = chunkQuery(8, 8, 7);
    expect(query).toEqual({ recallThreshold: recallFor(6, 8, 8), maxPredictions: 7, rankBy: 'potential' });
    expect(chunkQuery(2, 8, 7).recallThreshold).toBe(recallFor(2, 8, 2));
  });

  it('ranks upper levels by similarity with the ensemble size as the cap', () => {
    expect(upperQuery(2, 30, 8, 10)).toEqual({ recallThreshold: recallFor(2, 8, 30), maxPredictions: 10, rankBy: 'similarity' });
  });
});

describe('upperStm', () => {
  const a = [`PTRN|${name(1)}`];
  const ab = [`PTRN|${name(1)}`, `PTRN|${name(2)}`];

  it('observes a lone one-symbol event twice, so KATO takes its full path rather than the starts-with path', () => {
    expect(upperStm([a], 2, 8, 10)).toEqual([[a, a], upperQuery(1, 2, 8, 10)]);
    expect(upperStm([a], 1, 8, 10)).toEqual([[a, a], upperQuery(1, 2, 8, 10)]);
  });

  it('keeps any other STM as it is, asking level 1 for two matched events', () => {
    expect(upperStm([ab], 2, 8, 10)).toEqual([[ab], upperQuery(1, 2, 8, 10)]);
    expect(upperStm([a, ab], 1, 8, 10)).toEqual([[a, ab], upperQuery(2, 3, 8, 10)]);
    expect(upperStm([a, ab], 3, 8, 10)).toEqual([[a, ab], upperQuery(1, 3, 8, 10)]);
  });
});

describe('ensembleEvent', () => {
  it('is the predictions as sorted, distinct PTRN| symbols', () => {
    expect(ensembleEvent([candidate(0, 2), candidate(0, 1), candidate(0, 2)])).toEqual([`PTRN|${name(1)}`, `PTRN|${name(2)}`]);
  });
});

describe('likelyLayouts', () => {
  const window = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
  const layouts = phaseLayouts(window.length, 4);

  it('keeps the layouts with the most verbatim learned chunks', async () => {
    // Training chunks start at offsets 2 and 6 of the window: phase 2.
    const known = new Map([chunkEvents(['c', 'd', 'e', 'f']), chunkEvents(['g', 'h', 'i', 'j'])].map((e) => [patternName(e), e]));
    const kept = await likelyLayouts(readerOf(known), window, layouts);
    expect(kept.map((l) => l.phase)).toEqual([2]);
  });

  it('keeps every layout when no complete chunk is known verbatim', async () => {
    const kept = await likelyLayouts(readerOf(new Map()), window, layouts);
    expect(kept.map((l) => l.phase)).toEqual([0, 1, 2, 3]);
  });
});

describe('activate', () => {
  const window = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];

  it('observes each chunk of the phase the KB explains best and cascades the ensembles up', async () => {
    const known = new Map([chunkEvents(['c', 'd', 'e', 'f'])].map((e) => [patternName(e), e]));
    const { predict, calls } = recording((call) => {
      if (call.level === 0) return [candidate(0, 100 + call.stm.length, call.stm.flat())];
      return [candidate(call.level, 200 * call.level + call.stm.length, ['s'])];
    });
    const activations = await activate(predict, readerOf(known), shape, window, 5);
    expect(activations.map((a) => a.phase)).toEqual([2]);
    const level0 = calls.filter((c) => c.level === 0);
    expect(level0.map((c) => c.stm.flat().join(''))).toEqual(['ab', 'cdef', 'ghij']);
    expect(level0[0].query).toEqual(chunkQuery(2, 4, 5));
    // Level 1 reads after every chunk (level 2 needs its ensembles); the top level after the last
    // only. A one-symbol STM is observed twice over.
    const level1 = calls.filter((c) => c.level === 1);
    expect(level1.map((c) => c.stm.length)).toEqual([2, 2, 3]);
    expect(level1[0].stm).toEqual([ensembleEvent([candidate(0, 102)]), ensembleEvent([candidate(0, 102)])]);
    expect(level1[2].stm).toEqual([ensembleEvent([candidate(0, 102)]), ensembleEvent([candidate(0, 104)]), ensembleEvent([candidate(0, 104)])]);
    expect(level1[2].query).toEqual(upperQuery(2, 3, 3, 5));
    const level2 = calls.filter((c) => c.level === 2);
    expect(level2).toHaveLength(1);
    // Level 2 keeps its last chunks[2] = 2 events.
    expect(level2[0].stm).toEqual([2, 3].map((n) => ensembleEvent([candidate(1, 200 + n)])));
    expect(level1.map((c) => c.query)).toEqual([upperQuery(1, 2, 3, 5), upperQuery(2, 2, 3, 5), upperQuery(2, 3, 3, 5)]);
    expect(level2[0].query).toEqual(upperQuery(1, 2, 2, 5));
    // Every level's result is the one after the last chunk.
    expect(activations[0].levels.map((cs) => cs.map((c) => c.name))).toEqual([[name(104)], [name(203)], [name(402)]]);
  });

  it("keeps each level's STM to one pattern's worth of events", async () => {
    const long = Array.from({ length: 24 }, (_, i) => `t${i}`);
    const { predict, calls } = recording((call) => [candidate(call.level, call.level * 1000 + calls.length, call.stm.flat())]);
    await activate(predict, readerOf(new Map()), { levels: 2, chunks: [4, 3], normalizer: 'none' }, long, 3);
    const level1 = calls.filter((c) => c.level === 1);
    expect(level1.length).toBeGreaterThan(0);
    for (const call of level1) expect(call.stm.length).toBeLessThanOrEqual(3);
  });

  it('skips a one-token head and stops the cascade at a level without predictions', async () => {
    const { predict, calls } = recording((call) => (call.level === 0 ? [candidate(0, call.stm.length, call.stm.flat())] : []));
    const activations = await activate(predict, readerOf(new Map()), shape, window.slice(0, 5), 5);
    expect(calls.filter((c) => c.level === 0).every((c) => c.stm.length > 1 || c.stm.flat()[0] === 'e')).toBe(true);
    expect(calls.some((c) => c.level === 2)).toBe(false);
    for (const a of activations) expect(a.levels.length).toBeLessThanOrEqual(2);
  });

  it("lets the level above read a level's earlier predictions when its last STM matches nothing", async () => {
    // Level 1 finds its pattern after the first chunk only: the last chunk's ensemble is noise.
    const { predict, calls } = recording((call) => {
      if (call.level === 0) return [candidate(0, 100 + call.stm.length, call.stm.flat())];
      if (call.level === 1) return JSON.stringify(call.stm[0]) === JSON.stringify(call.stm[call.stm.length - 1]) ? [candidate(1, 300)] : [];
      return [candidate(2, 400)];
    });
    const known = new Map([chunkEvents(['a', 'b', 'c', 'd'])].map((e) => [patternName(e), e]));
    const activations = await activate(predict, readerOf(known), shape, window.slice(0, 6), 5);
    expect(activations.map((a) => a.phase)).toEqual([0]);
    expect(activations[0].levels[1]).toEqual([]);
    const level2 = calls.filter((c) => c.level === 2);
    expect(level2.map((c) => c.stm)).toEqual([[ensembleEvent([candidate(1, 300)]), ensembleEvent([candidate(1, 300)])]]);
    expect(activations[0].levels[2].map((c) => c.name)).toEqual([name(400)]);
  });

  it('returns every phase that ties, in phase order', async () => {
    const { predict } = recording((call) => (call.level === 0 ? [candidate(0, call.stm.length, call.stm.flat())] : []));
    const activations = await activate(predict, readerOf(new Map()), shape, window.slice(0, 3), 5);
    expect(activations.map((a) => a.phase)).toEqual([0, 1, 2, 3]);
    expect(activations.every((a) => a.unexplained === 0)).toBe(true);
  });

  it('activates nothing for an empty window', async () => {
    const { predict, calls } = recording(() => []);
    expect(await activate(predict, readerOf(new Map()), shape, [], 5)).toEqual([]);
    expect(calls).toEqual([]);
  });
});
