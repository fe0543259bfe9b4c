import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { generate, generator } from '../../src/generation/generate.js';
import { localGenerationKb } from '../../src/generation/local-kb.js';
import { patternReader } from '../../src/generation/pattern-cache.js';
import { unravelPatterns } from '../../src/generation/unravel.js';
import { openStore } from '../../src/store/index.js';
import { detokenize, tokenize } from '../../src/text/index.js';
import { buildHierarchy, levelPatterns } from '../../src/training/hierarchy.js';
import { runKbId } from '../../src/training/nodes.js';
import type { HierarchySettings } from '../../src/training/types.js';
import { learnDocuments, shapeOf, tokenRanges } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'kato-generation-synthetic-'));
let stores = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Words that are one GPT-2 token each with their leading space, so a run of them detokenizes to
// text that tokenizes back to the same tokens.
const VOCABULARY = [
  ...new Set(
    tokenize(
      'the of and to in that is was he for it with as his on be at by had not are but from or have an they which one you were her all she there would their we him been has when who will more no if out so said what up its about into than them can only other new some could time these two may then do first any my now such like our over man me even most made after also did many before must through back years where much your way well down should because each just those people how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three',
    ).filter((t) => /^Ġ[a-z]+$/.test(t)),
  ),
];

const word = fc.integer({ min: 0, max: VOCABULARY.length - 1 }).map((i) => VOCABULARY[i]);
const settingsArb: fc.Arbitrary<HierarchySettings> = fc
  .array(fc.integer({ min: 2, max: 6 }), { minLength: 1, maxLength: 4 })
  .chain((chunks) => fc.constantFrom<'merge' | 'drop'>('merge', 'drop').map((remainder) => ({ levels: chunks.length, chunks, remainder })));

/** Number of places `needle` occurs in the documents. */
function occurrences(docs: readonly string[][], needle: readonly string[]): number {
  let count = 0;
  for (const doc of docs) {
    for (let i = 0; i + needle.length <= doc.length; i++) if (needle.every((t, k) => doc[i + k] === t)) count++;
  }
  return count;
}

function freshStore() {
  return openStore(join(root, `kb${stores++}`));
}

describe('unravelling a learned KB', () => {
  it('gives back exactly the tokens every pattern of every level was learned from', async () => {
    await fc.assert(
      fc.asyncProperty(settingsArb, fc.array(fc.array(word, { minLength: 0, maxLength: 120 }), { minLength: 1, maxLength: 4 }), async (settings, docs) => {
        const store = freshStore();
        try {
          const hierarchies = await learnDocuments(store, 'r', docs, settings);
          const reader = patternReader(localGenerationKb(store, 'r'));
          for (let d = 0; d < docs.length; d++) {
            const ranges = tokenRanges(hierarchies[d]);
            for (let level = 0; level < hierarchies[d].levels.length; level++) {
              const patterns = levelPatterns(hierarchies[d], level);
              const stored = await store.getPatterns(runKbId('r', level), patterns.map((p) => p.name));
              // Unravel what the KB holds, not what was sent: the KB is what generation reads.
              const texts = await unravelPatterns(reader, level, patterns.map((p) => ({ name: p.name, events: stored.get(p.name)!.events })));
              texts.forEach((text, i) => {
                expect(text.gaps).toEqual([]);
                expect(text.tokens).toEqual(docs[d].slice(ranges[level][i].start, ranges[level][i].end));
              });
            }
          }
        } finally {
          await store.close();
        }
      }),
      { numRuns: 25 },
    );
  });
});

/**
 * The end of the highest-level chunk of `ranges` that holds all of [start, end), or null. Past it
 * nothing in the KB says what follows: no pattern spans two top-level chunks.
 */
function enclosingEnd(ranges: { start: number; end: number }[][], start: number, end: number): number | null {
  for (let level = ranges.length - 1; level >= 0; level--) {
    const chunk = ranges[level].find((r) => r.start <= start && end <= r.end);
    if (chunk) return chunk.end;
  }
  return null;
}

describe('generating from a learned KB', () => {
  it("continues a 20+ token prompt found once in the corpus with its document's next tokens, whatever its offset", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<HierarchySettings>(
          { levels: 4, chunks: [8, 8, 8, 8], remainder: 'merge' },
          { levels: 3, chunks: [4, 3, 4], remainder: 'merge' },
          { levels: 2, chunks: [6, 8], remainder: 'drop' },
        ),
        fc.array(fc.array(word, { minLength: 60, maxLength: 300 }), { minLength: 2, maxLength: 4 }),
        fc.nat(),
        fc.integer({ min: 20, max: 40 }),
        async (settings, docs, pick, length) => {
          const d = pick % docs.length;
          const doc = docs[d];
          fc.pre(doc.length > length + 1);
          const offset = pick % (doc.length - length);
          const hierarchies = docs.map((tokens) => buildHierarchy(tokens, settings));
          const topEnd = enclosingEnd(tokenRanges(hierarchies[d]), offset, offset + length);
          // The continuation is determined when the prompt occurs nowhere else and lies inside one
          // top-level chunk that goes on after it.
          fc.pre(occurrences(docs, doc.slice(offset, offset + length)) === 1 && topEnd !== null && topEnd > offset + length);
          const expected = doc.slice(offset + length, Math.min(topEnd!, offset + length + 16));
          const store = freshStore();
          try {
            await learnDocuments(store, 'r', docs, settings);
            const kb = localGenerationKb(store, 'r');
            const result = await generate(generator(kb), shapeOf(settings), detokenize(doc.slice(offset, offset + length)), {
              maxTokens: expected.length,
              ensemble: 10,
            });
            expect(result.tokens).toEqual(expected);
            expect(result.stop).toBe('max-tokens');
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
