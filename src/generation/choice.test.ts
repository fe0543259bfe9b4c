import { describe, expect, it } from 'vitest';
import { seededRandom } from '../engine/random.js';
import { chunkEvents, patternName, prefixedName } from '../engine/names.js';
import type { Event } from '../engine/types.js';
import type { PhaseActivation } from './activation.js';
import { chooseContinuation, type ChoiceInput } from './choice.js';
import { continuationsOf } from './continuation.js';
import { patternReader } from './pattern-cache.js';
import type { Candidate, GenerationKb } from './types.js';

const levels: Map<string, Event[]>[] = [new Map(), new Map()];
function learn(level: number, symbols: string[]): string {
  const events = chunkEvents(symbols);
  const name = patternName(events);
  levels[level].set(name, events);
  return name;
}

function mapKb(store = levels): GenerationKb & { reads: number[] } {
  const reads: number[] = [];
  return {
    reads,
    predict: async () => [],
    getPatterns: async (level, names) => {
      reads.push(level);
      return new Map(names.filter((n) => store[level].has(n)).map((n) => [n, store[level].get(n)!]));
    },
    close: async () => undefined,
  };
}

function candidate(level: number, name: string, past: number, present: number, rank = 0, score = 1): Candidate {
  const events = (level === 0 ? levels[0] : levels[1]).get(name)!;
  return { level, name, frequency: 2, events, pastEvents: past, presentEvents: present, matches: [], similarity: 0.5, potential: score, score, rank };
}

// Level 0: chunks of "the cat sat on the mat and the dog sat on the rug".
const c1 = learn(0, ['the', 'cat', 'sat', 'on']);
const c2 = learn(0, ['the', 'mat', 'and', 'the']);
const c3 = learn(0, ['dog', 'sat', 'on', 'the']);
const c4 = learn(0, ['rug', '.']);
const p1 = learn(1, [c1, c2, c3, c4].map(prefixedName));
const other = learn(0, ['on', 'the', 'roof', '!']);
const moon = learn(0, ['is', 'on', 'the', 'moon']);
const table = learn(0, ['on', 'the', 'table', '.']);

const input = (kb: GenerationKb, context: string[], extra: Partial<ChoiceInput> = {}): ChoiceInput => ({
  reader: patternReader(kb),
  context,
  budget: 100,
  horizon: 64,
  chunk: 4,
  ...extra,
});
const activation = (levelsOf: Candidate[][], phase = 0): PhaseActivation => ({ phase, unexplained: 0, levels: levelsOf });

describe('continuationsOf', () => {
  it('aligns each candidate to the context end and keeps what follows, best verified first', async () => {
    const kb = mapKb();
    const found = await continuationsOf(
      patternReader(kb),
      [
        { candidate: candidate(0, other, 0, 2, 0), phase: 0 },
        { candidate: candidate(0, c3, 1, 3, 1), phase: 0 },
      ],
      ['dog', 'sat', 'on', 'the'].slice(0, 3),
      10,
      64,
    );
    expect(found.map((c) => [c.candidate.name, c.aligned, c.tokens])).toEqual([
      [c3, 3, ['the']],
      [other, 1, ['the', 'roof', '!']],
    ]);
  });

  it('drops a candidate that verifies nothing or has nothing after the context', async () => {
    const found = await continuationsOf(patternReader(mapKb()), [{ candidate: candidate(0, c4, 0, 2), phase: 0 }], ['rug', '.'], 10, 64);
    expect(found).toEqual([]);
  });

  it('takes a pattern reached under several phases once', async () => {
    const entry = { candidate: candidate(0, other, 0, 2), phase: 0 };
    const found = await continuationsOf(patternReader(mapKb()), [entry, { ...entry, phase: 3 }], ['on'], 10, 64);
    expect(found.map((c) => c.phase)).toEqual([0]);
  });
});

describe('chooseContinuation', () => {
  const context = ['the', 'mat', 'and', 'the', 'dog', 'sat', 'on'];

  it('continues from the highest level when it verifies as much as any', async () => {
    const kb = mapKb();
    const choice = await chooseContinuation(
      [activation([[candidate(0, c3, 0, 3)], [candidate(1, p1, 1, 2)]])],
      input(kb, context),
    );
    expect(choice?.candidate.level).toBe(1);
    expect(choice?.aligned).toBe(7);
    expect(choice?.tokens).toEqual(['the', 'rug', '.']);
    // All the context was verified at level 1: level 0's patterns were never unravelled.
    expect(kb.reads).toEqual([0]);
  });

  it('falls back to a lower level that verifies strictly more', async () => {
    const choice = await chooseContinuation(
      [activation([[candidate(0, moon, 1, 2)], [candidate(1, p1, 0, 1)]])],
      input(mapKb(), ['it', 'is', 'on', 'the']),
    );
    // Level 1 verifies "on the", level 0 "is on the".
    expect(choice?.candidate.name).toBe(moon);
    expect(choice?.aligned).toBe(3);
    expect(choice?.tokens).toEqual(['moon']);
  });

  it('offers nothing when no candidate holds the context end', async () => {
    expect(await chooseContinuation([activation([[candidate(0, c1, 0, 1)]])], input(mapKb(), ['zebra']))).toBeNull();
    expect(await chooseContinuation([], input(mapKb(), ['the']))).toBeNull();
  });

  it('stops before a missing pattern and reports it', async () => {
    const partial = [new Map(levels[0]), new Map(levels[1])];
    partial[0].delete(c3);
    const choice = await chooseContinuation([activation([[], [candidate(1, p1, 0, 2)]])], input(mapKb(partial), ['the', 'mat', 'and', 'the']));
    expect(choice?.tokens).toEqual([]);
    expect(choice?.gap).toEqual({ level: 0, name: c3, parentLevel: 1, parent: p1 });
  });

  it('samples among the continuations that agree with as much context as a chunk, by seed', async () => {
    // Three places continue "on the"; the first chunk holds only "the" and stays out of the pool.
    const candidates = [candidate(0, c1, 0, 1, 0, 3), candidate(0, other, 0, 2, 1, 2), candidate(0, moon, 1, 2, 2, 1), candidate(0, table, 0, 2, 3, 1)];
    const draw = async (seed: number, topK?: number) => {
      const options = { seed, temperature: 1, topK };
      const sampling = { options, random: seededRandom(seed) };
      const names: string[] = [];
      for (let i = 0; i < 30; i++) {
        const choice = await chooseContinuation([activation([candidates])], input(mapKb(), ['on', 'the'], { sampling }));
        names.push(choice!.candidate.name);
      }
      return names;
    };
    const first = await draw(5);
    expect(await draw(5)).toEqual(first);
    expect(new Set(first)).toEqual(new Set([other, moon, table]));
    expect(await draw(6)).not.toEqual(first);
    expect(new Set(await draw(5, 1))).toEqual(new Set([other]));
  });
});
