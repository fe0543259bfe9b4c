import { describe, expect, it } from 'vitest';
import { chunkEvents, patternName, prefixedName } from '../engine/names.js';
import type { Event } from '../engine/types.js';
import { PatternShapeError } from './levels.js';
import { patternReader } from './pattern-cache.js';
import type { GenerationKb } from './types.js';
import { unravelPatterns } from './unravel.js';

/** A KB of patterns per level held in maps, counting its reads. */
function mapKb(levels: Map<string, Event[]>[]): GenerationKb & { reads: { level: number; names: string[] }[] } {
  const reads: { level: number; names: string[] }[] = [];
  return {
    reads,
    predict: async () => [],
    getPatterns: async (level, names) => {
      reads.push({ level, names: [...names] });
      return new Map(names.filter((n) => levels[level]?.has(n)).map((n) => [n, levels[level].get(n)!]));
    },
    close: async () => undefined,
  };
}

/** Learns `symbols` as one chunk of `level`; returns its name. */
function learn(levels: Map<string, Event[]>[], level: number, symbols: string[]): string {
  const events = chunkEvents(symbols);
  const name = patternName(events);
  (levels[level] ??= new Map()).set(name, events);
  return name;
}

describe('unravelPatterns', () => {
  const levels: Map<string, Event[]>[] = [];
  const a = learn(levels, 0, ['ĠThe', 'Ġcat']);
  const b = learn(levels, 0, ['Ġsat', 'Ġon']);
  const c = learn(levels, 0, ['Ġthe', 'Ġmat', '.']);
  const ab = learn(levels, 1, [prefixedName(a), prefixedName(b)]);
  const ca = learn(levels, 1, [prefixedName(c), prefixedName(a)]);
  const top = learn(levels, 2, [prefixedName(ab), prefixedName(ca)]);

  it('unravels a pattern of any level to the tokens it was learned from, with its event ends', async () => {
    const kb = mapKb(levels);
    const [text] = await unravelPatterns(patternReader(kb), 2, [{ name: top, events: levels[2].get(top)! }]);
    expect(text.tokens).toEqual(['ĠThe', 'Ġcat', 'Ġsat', 'Ġon', 'Ġthe', 'Ġmat', '.', 'ĠThe', 'Ġcat']);
    expect(text.eventEnds).toEqual([4, 9]);
    expect(text.gaps).toEqual([]);
    const [zero] = await unravelPatterns(patternReader(kb), 0, [{ name: c, events: levels[0].get(c)! }]);
    expect(zero.tokens).toEqual(['Ġthe', 'Ġmat', '.']);
    expect(zero.eventEnds).toEqual([1, 2, 3]);
  });

  it('reads each level once for all the patterns, and a repeated child once', async () => {
    const kb = mapKb(levels);
    const texts = await unravelPatterns(patternReader(kb), 1, [
      { name: ab, events: levels[1].get(ab)! },
      { name: ca, events: levels[1].get(ca)! },
    ]);
    expect(texts.map((t) => t.tokens.length)).toEqual([4, 5]);
    expect(kb.reads).toEqual([{ level: 0, names: [a, b, c] }]);
  });

  it('marks a missing child with a hole and reports it, keeping everything around it', async () => {
    const partial = levels.map((m) => new Map(m));
    partial[0].delete(b);
    const [text] = await unravelPatterns(patternReader(mapKb(partial)), 2, [{ name: top, events: partial[2].get(top)! }]);
    expect(text.tokens).toEqual(['ĠThe', 'Ġcat', null, 'Ġthe', 'Ġmat', '.', 'ĠThe', 'Ġcat']);
    expect(text.gaps).toEqual([{ level: 0, name: b, parentLevel: 1, parent: ab }]);
    expect(text.eventEnds).toEqual([3, 8]);
  });

  it('rejects an upper-level symbol that is not a pattern reference', async () => {
    const events = [['PTRN|' + a], ['Ġcat']];
    await expect(unravelPatterns(patternReader(mapKb(levels)), 1, [{ name: 'bad', events }])).rejects.toThrow(PatternShapeError);
    await expect(unravelPatterns(patternReader(mapKb(levels)), 1, [{ name: 'bad', events }])).rejects.toThrow(/'Ġcat', not a 'PTRN\|<sha1>' reference to a level 0 pattern/);
  });

  it('rejects an empty event', async () => {
    await expect(unravelPatterns(patternReader(mapKb(levels)), 0, [{ name: 'bad', events: [['a'], []] }])).rejects.toThrow(/event 1 is not a non-empty list/);
  });
});
