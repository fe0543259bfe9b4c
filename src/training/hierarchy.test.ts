import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkEvents, patternName } from '../engine/names.js';
import { buildHierarchy, chunkEnds, levelPatterns, levelSymbols, upperSymbol } from './hierarchy.js';
import type { HierarchySettings } from './types.js';

const settings = (chunks: number[], remainder: 'merge' | 'drop' = 'merge'): HierarchySettings => ({
  levels: chunks.length,
  chunks,
  remainder,
});

const letters = (n: number): string[] => Array.from({ length: n }, (_, i) => String.fromCharCode(97 + i));

describe('chunkEnds', () => {
  it.each([
    [0, 8, []],
    [1, 8, []],
    [2, 8, [2]],
    [7, 8, [7]],
    [8, 8, [8]],
    [9, 8, [9]],
    [10, 8, [8, 10]],
    [16, 8, [8, 16]],
    [17, 8, [8, 17]],
    [18, 8, [8, 16, 18]],
    [3, 2, [3]],
    [5, 2, [2, 5]],
    [6, 3, [3, 6]],
  ])('cuts %i symbols every %i into chunks ending at %j (merge)', (length, size, ends) => {
    expect(chunkEnds(length, size, 'merge')).toEqual(ends);
  });

  it('leaves a single leftover symbol out under the drop policy', () => {
    expect(chunkEnds(9, 8, 'drop')).toEqual([8]);
    expect(chunkEnds(17, 8, 'drop')).toEqual([8, 16]);
    expect(chunkEnds(5, 2, 'drop')).toEqual([2, 4]);
    expect(chunkEnds(10, 8, 'drop')).toEqual([8, 10]);
  });
});

describe('buildHierarchy', () => {
  it('names a two-token document exactly as KATO does and stops at a single symbol', () => {
    const h = buildHierarchy(['a', 'b'], settings([8, 8, 8, 8]));
    expect(h.levels).toHaveLength(1);
    expect(h.levels[0]).toEqual({ ends: [2], names: ['76d7efca2e96cb5eeddf4e06ac96a0f424630135'], dropped: 0 });
  });

  it('learns nothing from a document of fewer than 2 tokens', () => {
    expect(buildHierarchy([], settings([8])).levels).toEqual([]);
    expect(buildHierarchy(['Ġonly'], settings([8])).levels).toEqual([]);
  });

  it('chunks 20 tokens with sizes 4,2,2 into 5, 2 and 1 patterns (a lone leftover name merges)', () => {
    const tokens = letters(20);
    const h = buildHierarchy(tokens, settings([4, 2, 2]));
    expect(h.levels.map((l) => l.ends)).toEqual([[4, 8, 12, 16, 20], [2, 5], [2]]);
    const level0 = [0, 4, 8, 12, 16].map((s) => patternName(chunkEvents(tokens.slice(s, s + 4))));
    expect(h.levels[0].names).toEqual(level0);
    const up0 = level0.map((n) => `PTRN|${n}`);
    const level1 = [patternName(chunkEvents(up0.slice(0, 2))), patternName(chunkEvents(up0.slice(2, 5)))];
    expect(h.levels[1].names).toEqual(level1);
    expect(h.levels[2].names).toEqual([patternName([[`PTRN|${level1[0]}`], [`PTRN|${level1[1]}`]])]);
    expect(levelPatterns(h, 1)[1]).toEqual({ events: [[up0[2]], [up0[3]], [up0[4]]], name: level1[1] });
  });

  it('stops after the top level even when more symbols are left', () => {
    const h = buildHierarchy(letters(26), settings([2, 2]));
    expect(h.levels).toHaveLength(2);
    expect(h.levels[0].ends).toHaveLength(13);
    expect(h.levels[1].ends).toEqual([2, 4, 6, 8, 10, 13]);
  });

  it('stops at a level whose sequence has a single symbol', () => {
    // 9 tokens → one merged chunk of 9 → level 1 would hold one symbol.
    const h = buildHierarchy(letters(9), settings([8, 8, 8]));
    expect(h.levels).toHaveLength(1);
    expect(h.levels[0].ends).toEqual([9]);
  });

  it('counts the symbol the drop policy leaves out', () => {
    const h = buildHierarchy(letters(9), settings([8, 8], 'drop'));
    expect(h.levels[0]).toMatchObject({ ends: [8], dropped: 1 });
  });

  it('uses the PTRN| form of a level-l name as the level-l+1 symbol', () => {
    expect(upperSymbol('76d7efca2e96cb5eeddf4e06ac96a0f424630135')).toBe('PTRN|76d7efca2e96cb5eeddf4e06ac96a0f424630135');
  });

  it('keeps its invariants on any token sequence and settings', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('Ġthe', 'Ġcat', 'Ġsat', ',', '.', 'Ċ', 'é', '😀', "'s"), { maxLength: 400 }),
        fc.array(fc.integer({ min: 2, max: 9 }), { minLength: 1, maxLength: 5 }),
        fc.constantFrom('merge' as const, 'drop' as const),
        (tokens, chunks, remainder) => {
          const h = buildHierarchy(tokens, settings(chunks, remainder));
          expect(h.levels.length).toBeLessThanOrEqual(chunks.length);
          for (let level = 0; level < h.levels.length; level++) {
            const symbols = levelSymbols(h, level);
            const { ends, names, dropped } = h.levels[level];
            expect(symbols.length).toBeGreaterThanOrEqual(2);
            // Chunks tile the sequence from the start; at most one symbol is left, only under drop.
            expect(ends[ends.length - 1] + dropped).toBe(symbols.length);
            expect(dropped).toBe(remainder === 'drop' && (symbols.length % chunks[level]) === 1 ? 1 : 0);
            let start = 0;
            for (const [i, pattern] of levelPatterns(h, level).entries()) {
              expect(pattern.events.length).toBe(ends[i] - start);
              expect(pattern.events.length).toBeGreaterThanOrEqual(2);
              expect(pattern.events.length).toBeLessThanOrEqual(chunks[level] + 1);
              expect(pattern.name).toBe(patternName(pattern.events));
              expect(pattern.name).toBe(names[i]);
              start = ends[i];
            }
            // Every symbol of the next level names a pattern learned at this level.
            if (level + 1 < h.levels.length) {
              const known = new Set(names.map(upperSymbol));
              expect(levelSymbols(h, level + 1).every((s) => known.has(s))).toBe(true);
            }
          }
          // The hierarchy stopped for a reason: the top level, or too few symbols to go on.
          const top = h.levels.length;
          if (top < chunks.length) {
            expect(top === 0 ? tokens.length : h.levels[top - 1].names.length).toBeLessThan(2);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
