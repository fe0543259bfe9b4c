import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brownSource } from '../../src/datasets/index.js';
import { generate, generator, promptTokens } from '../../src/generation/generate.js';
import { localGenerationKb } from '../../src/generation/local-kb.js';
import { patternReader } from '../../src/generation/pattern-cache.js';
import { runShape } from '../../src/generation/shape.js';
import type { GenerationKb, GenerationResult, HierarchyShape } from '../../src/generation/types.js';
import { unravelPatterns } from '../../src/generation/unravel.js';
import { bareName } from '../../src/engine/names.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { detokenize } from '../../src/text/index.js';
import { localKnowledgeBase } from '../../src/training/knowledge-base.js';
import { prepareText } from '../../src/training/prepare.js';
import { runKbId } from '../../src/training/nodes.js';
import { runTraining } from '../../src/training/session.js';
import type { PreparedHierarchy } from '../../src/training/types.js';
import { tokenRanges } from './helpers.js';

const DOCS = 30;
const dir = mkdtempSync(join(tmpdir(), 'kato-generation-corpus-'));
let store: Store;
let kb: GenerationKb;
let shape: HierarchyShape;
let documents: { id: string; tokens: string[]; hierarchy: PreparedHierarchy }[];

beforeAll(async () => {
  await runTraining({
    kb: localKnowledgeBase(openStore(dir)),
    dataDir: dir,
    run: 'brown',
    resume: false,
    reset: false,
    maxDocs: DOCS,
    workers: 0,
    katoVersion: 'test',
  });
  store = openStore(dir, { readonly: true });
  shape = runShape('brown', await store.getRun('brown'), []);
  kb = localGenerationKb(store, 'brown');
  // The documents as training prepared them: the same normaliser, tokenizer and hierarchy.
  documents = [];
  for await (const record of brownSource().open()) {
    const hierarchy = prepareText(record.text, { levels: shape.levels, chunks: shape.chunks, remainder: 'merge', normalizer: shape.normalizer });
    documents.push({ id: record.id, tokens: [...hierarchy.tokens], hierarchy });
    if (documents.length === DOCS) break;
  }
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A prompt of `length` tokens of document `d` from about `offset`: the first offset whose text tokenizes back to exactly those tokens. */
function promptAt(d: number, offset: number, length: number): { prompt: string; at: number } {
  const tokens = documents[d].tokens;
  for (let at = offset; at < offset + 8; at++) {
    const prompt = detokenize(tokens.slice(at, at + length));
    if (promptTokens(shape, prompt).tokens.join('\u0000') === tokens.slice(at, at + length).join('\u0000')) return { prompt, at };
  }
  throw new Error(`no prompt near offset ${offset} of document ${documents[d].id} tokenizes back to itself`);
}

// Documents and offsets (none a multiple of the level-0 chunk size) the continuation test uses.
const CASES: [number, number, number][] = [
  [0, 101, 20],
  [3, 517, 23],
  [7, 1234, 25],
  [11, 45, 21],
  [15, 2001, 30],
  [19, 333, 20],
  [23, 1650, 27],
  [29, 877, 22],
];

describe('generation from a KB trained on the Brown corpus', () => {
  it.each(CASES)("continues document %i's prompt at offset %i (%i tokens) with the document's next 32 tokens", async (d, offset, length) => {
    const { prompt, at } = promptAt(d, offset, length);
    expect(at % shape.chunks[0]).not.toBe(0);
    const result = await generate(generator(kb), shape, prompt, { maxTokens: 32, ensemble: 10 });
    expect(result.tokens).toEqual(documents[d].tokens.slice(at + length, at + length + 32));
    expect(result.text).toBe(detokenize(documents[d].tokens.slice(at + length, at + length + 32)));
    expect(result.stop).toBe('max-tokens');
    expect(result.gaps).toEqual([]);
  });

  it.each([
    [4, 1900, 9],
    [12, 641, 12],
    [26, 1203, 10],
  ])("continues a short prompt too: document %i at offset %i (%i tokens)", async (d, offset, length) => {
    const { prompt, at } = promptAt(d, offset, length);
    const result = await generate(generator(kb), shape, prompt, { maxTokens: 32, ensemble: 10 });
    expect(result.tokens).toEqual(documents[d].tokens.slice(at + length, at + length + 32));
  });

  it('says truly where each span came from: the pattern unravels to the span, right after the verified context', async () => {
    const { prompt, at } = promptAt(5, 1400, 24);
    const result = await generate(generator(kb), shape, prompt, { maxTokens: 48, ensemble: 10 });
    const context = [...documents[5].tokens.slice(at, at + 24), ...result.tokens];
    let covered = 0;
    for (const span of result.spans) {
      expect(span.start).toBe(covered);
      covered = span.end;
      const events = (await kb.getPatterns(span.level, [bareName(span.pattern)])).get(bareName(span.pattern))!;
      const [text] = await unravelPatterns(patternReader(kb), span.level, [{ name: bareName(span.pattern), events }]);
      const spanTokens = result.tokens.slice(span.start, span.end);
      // The span is the pattern's text at `offset`, and the `aligned` context tokens come right before it.
      expect(text.tokens.slice(span.offset, span.offset + spanTokens.length)).toEqual(spanTokens);
      expect(text.tokens.slice(span.offset - span.aligned, span.offset)).toEqual(context.slice(24 + span.start - span.aligned, 24 + span.start));
      expect(span.text).toBe(detokenize(spanTokens));
      expect(span.frequency).toBeGreaterThanOrEqual(1);
    }
    expect(covered).toBe(result.tokens.length);
  });

  it('unravels every pattern of every level to exactly the tokens it was learned from', async () => {
    const reader = patternReader(kb);
    for (let level = 0; level < shape.levels; level++) {
      const expected = new Map<string, string[]>();
      for (const doc of documents) {
        if (level >= doc.hierarchy.levels.length) continue;
        const ranges = tokenRanges(doc.hierarchy)[level];
        doc.hierarchy.levels[level].names.forEach((name, i) => expected.set(name, doc.tokens.slice(ranges[i].start, ranges[i].end)));
      }
      const stored: { name: string; events: string[][] }[] = [];
      for await (const record of store.allPatterns(runKbId('brown', level))) stored.push({ name: record.name, events: record.events });
      // Every pattern the KB holds came from these documents, and every one of theirs is in the KB.
      expect(stored.map((p) => p.name).sort()).toEqual([...expected.keys()].sort());
      const texts = await unravelPatterns(reader, level, stored);
      texts.forEach((text, i) => {
        expect(text.gaps).toEqual([]);
        expect(text.tokens).toEqual(expected.get(stored[i].name));
      });
    }
  });

  it('generates the same text and provenance every time by default', async () => {
    const { prompt } = promptAt(2, 700, 20);
    const first = await generate(generator(kb), shape, prompt, { maxTokens: 40, ensemble: 10 });
    const again = await generate(generator(kb), shape, prompt, { maxTokens: 40, ensemble: 10 });
    expect(again).toEqual(first);
  });

  it('samples reproducibly by seed among the places a short prompt occurs', async () => {
    const run = (seed: number): Promise<GenerationResult> =>
      generate(generator(kb), shape, 'of the', { maxTokens: 12, ensemble: 10, sampling: { seed, temperature: 1 } });
    const texts = await Promise.all([1, 2, 3, 4, 5, 6].map(async (seed) => (await run(seed)).text));
    expect((await run(1)).text).toBe(texts[0]);
    expect(new Set(texts).size).toBeGreaterThan(1);
  });

  it('returns no continuation, and no text, for a prompt whose end the KB has never seen', async () => {
    const result = await generate(generator(kb), shape, 'The jury said 🦄🦄🦄', { maxTokens: 16, ensemble: 10 });
    expect(result).toMatchObject({ text: '', tokens: [], spans: [], stop: 'no-continuation', steps: 1 });
  });
});
