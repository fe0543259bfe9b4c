import { describe, expect, it } from 'vitest';
import type { Event } from '../engine/types.js';
import { patternReader } from './pattern-cache.js';
import type { GenerationKb } from './types.js';

function countingKb(): GenerationKb & { reads: string[][] } {
  const reads: string[][] = [];
  return {
    reads,
    predict: async () => [],
    // Every name exists except 'missing'; a pattern's events spell its level and name.
    getPatterns: async (level, names) => {
      reads.push([...names]);
      return new Map(names.filter((n) => n !== 'missing').map((n): [string, Event[]] => [n, [[`${level}`], [n]]]));
    },
    close: async () => undefined,
  };
}

describe('patternReader', () => {
  it('reads all uncached names in one request and serves repeats from the cache', async () => {
    const kb = countingKb();
    const reader = patternReader(kb);
    const first = await reader.read(0, ['a', 'b', 'a', 'missing']);
    expect([...first.keys()]).toEqual(['a', 'b']);
    expect(kb.reads).toEqual([['a', 'b', 'missing']]);
    const second = await reader.read(0, ['b', 'c']);
    expect(second.get('b')).toEqual([['0'], ['b']]);
    expect(kb.reads).toEqual([['a', 'b', 'missing'], ['c']]);
    expect(reader.stats()).toEqual({ hits: 1, misses: 4, requests: 2 });
  });

  it('keeps levels apart', async () => {
    const kb = countingKb();
    const reader = patternReader(kb);
    await reader.read(0, ['a']);
    const upper = await reader.read(1, ['a']);
    expect(upper.get('a')).toEqual([['1'], ['a']]);
    expect(kb.reads).toHaveLength(2);
  });

  it('asks again for a missing name (it may be learned meanwhile)', async () => {
    const kb = countingKb();
    const reader = patternReader(kb);
    await reader.read(0, ['missing']);
    await reader.read(0, ['missing']);
    expect(kb.reads).toEqual([['missing'], ['missing']]);
  });

  it('evicts the least recently used pattern beyond its capacity', async () => {
    const kb = countingKb();
    const reader = patternReader(kb, 2);
    await reader.read(0, ['a', 'b']);
    await reader.read(0, ['a']);
    await reader.read(0, ['c']);
    await reader.read(0, ['a', 'b']);
    expect(kb.reads).toEqual([['a', 'b'], ['c'], ['b']]);
  });
});
