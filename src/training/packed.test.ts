import { describe, expect, it } from 'vitest';
import { packedBuffers, packHierarchy, unpackHierarchy } from './packed.js';
import { prepareDocument } from './prepare.js';

const settings = { levels: 3, chunks: [4, 3, 2], remainder: 'merge' as const, normalizer: 'none' };

describe('packed hierarchies', () => {
  it.each([
    ['', 0],
    ['Hi', 0],
    ['The quick brown fox jumps over the lazy dog, twice: the quick brown fox jumps over the lazy dog.', 3],
    ['Ünïcödé 😀 text\nwith lines\tand <|endoftext|> as plain text, long enough to reach level two of three.', 3],
  ])('cross threads unchanged: %j', (text, levels) => {
    const { ids, hierarchy } = prepareDocument(text, settings);
    expect(hierarchy.levels).toHaveLength(levels);
    const packed = packHierarchy(ids, hierarchy);
    const received = structuredClone(packed, { transfer: packedBuffers(packed) });
    expect(unpackHierarchy(received)).toEqual(hierarchy);
    // Transferred, not copied: the sender's buffers are detached.
    expect(packed.ids.byteLength).toBe(0);
  });
});
