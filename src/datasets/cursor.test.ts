import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ValidationError } from '../errors.js';
import { compareCursors, cursorToString, parseCursor } from './cursor.js';
import type { Cursor } from './types.js';

describe('cursor strings', () => {
  it('are short and readable', () => {
    expect(cursorToString({ source: 'brown', shard: 0, shardName: 'brown', unit: 'row', offset: 17 })).toBe('brown:0:brown:r17');
    expect(
      cursorToString({ source: 'files', shard: 3, shardName: 'train/part 1.jsonl', unit: 'byte', offset: 1048576, line: 912 }),
    ).toBe('files:3:train/part%201.jsonl:b1048576.912');
  });

  it('parse back to the same cursor for any names and positions', () => {
    const name = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 });
    const position = fc.nat({ max: Number.MAX_SAFE_INTEGER });
    const cursor: fc.Arbitrary<Cursor> = fc.oneof(
      fc.record({ source: name, shard: fc.nat(100_000), shardName: name, unit: fc.constant('row' as const), offset: position }),
      fc.record({
        source: name,
        shard: fc.nat(100_000),
        shardName: name,
        unit: fc.constant('byte' as const),
        offset: position,
        line: position,
      }),
    );
    fc.assert(
      fc.property(cursor, (c) => {
        expect(parseCursor(cursorToString(c))).toEqual(c);
      }),
      { numRuns: 300 },
    );
  });

  it('reject anything else with a ValidationError', () => {
    for (const bad of ['', 'brown', 'brown:0:brown', 'brown:0:brown:x1', 'brown:01:brown:r1', 'a:0:b:b12', 'a:0:b:r-1', 'a:0:b:r99999999999999999999']) {
      expect(() => parseCursor(bad), bad).toThrow(ValidationError);
    }
  });

  it('order by shard, then offset', () => {
    const at = (shard: number, offset: number): Cursor => ({ source: 's', shard, shardName: 'x', unit: 'row', offset });
    expect(compareCursors(at(0, 9), at(1, 0))).toBeLessThan(0);
    expect(compareCursors(at(1, 5), at(1, 2))).toBeGreaterThan(0);
    expect(compareCursors(at(2, 2), at(2, 2))).toBe(0);
  });
});
