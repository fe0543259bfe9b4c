import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { generate, generator, promptTokens } from '../../src/generation/generate.js';
import { localGenerationKb } from '../../src/generation/local-kb.js';
import type { GenerationKb } from '../../src/generation/types.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { detokenize, tokenize } from '../../src/text/index.js';
import type { HierarchySettings } from '../../src/training/types.js';
import { learnDocuments, shapeOf } from './helpers.js';

const TEXTS = [
  'The old lighthouse keeper climbed the spiral stairs every evening at dusk, trimmed the wick of the great lamp, and watched the ships pass safely beyond the rocks. ' +
    'Nobody in the village remembered a night when the light had failed, and the fishermen said that the sea itself had learned to trust him.',
  'In the spring the river rose over its banks and flooded the lower meadows, leaving behind a layer of dark silt that made the fields the richest in the county. ' +
    'The farmers waited for the water to fall, then ploughed quickly before the sun baked the ground hard.',
  'She opened the letter slowly, read the first line twice, and sat down on the edge of the bed without a word. ' +
    'Outside, the rain kept falling on the empty street, and the lamps came on one by one as the afternoon turned into evening.',
];
const settings: HierarchySettings = { levels: 3, chunks: [8, 8, 8], remainder: 'merge' };
const shape = shapeOf(settings);
const docs = TEXTS.map((t) => tokenize(t));
const root = mkdtempSync(join(tmpdir(), 'kato-generation-generate-'));
let store: Store;
let kb: GenerationKb;

beforeAll(async () => {
  store = openStore(join(root, 'kb'));
  await learnDocuments(store, 'r', docs, settings);
  kb = localGenerationKb(store, 'r');
});

afterAll(async () => {
  await store?.close();
  rmSync(root, { recursive: true, force: true });
});

const after = (d: number, text: string, n: number): string[] => {
  const prefix = tokenize(text);
  const doc = docs[d];
  for (let i = 0; i + prefix.length <= doc.length; i++) {
    if (prefix.every((t, k) => doc[i + k] === t)) return doc.slice(i + prefix.length, i + prefix.length + n);
  }
  throw new Error(`'${text}' is not in document ${d}`);
};

describe('generate', () => {
  it('continues a prompt with the text that follows it, up to --max-tokens, with spans covering every token', async () => {
    const prompt = ' trimmed the wick of the great lamp, and watched the ships pass safely beyond';
    const result = await generate(generator(kb), shape, prompt, { maxTokens: 12, ensemble: 10 });
    expect(result.tokens).toEqual(after(0, prompt, 12));
    expect(result.text).toBe(detokenize(after(0, prompt, 12)));
    expect(result.stop).toBe('max-tokens');
    expect(result.spans[0].start).toBe(0);
    expect(result.spans.at(-1)?.end).toBe(12);
    for (const span of result.spans) expect(span.pattern).toMatch(/^PTRN\|[0-9a-f]{40}$/);
  });

  it('does not repeat the space a prompt ends with', async () => {
    const prompt = 'read the first line twice, and sat down on the ';
    expect(promptTokens(shape, prompt)).toEqual({ tokens: tokenize(prompt.trimEnd()), trailingSpace: true });
    const result = await generate(generator(kb), shape, prompt, { maxTokens: 4, ensemble: 10 });
    expect(result.tokens).toEqual(['Ġedge', 'Ġof', 'Ġthe', 'Ġbed']);
    expect(result.text).toBe('edge of the bed');
    expect(result.spans[0].text).toBe('edge of the bed');
  });

  it('cuts a prompt ending in newlines as running text does', () => {
    expect(promptTokens(shape, 'end.\n\n').tokens).toEqual(tokenize('end.\n\nNext').slice(0, -1));
    expect(promptTokens(shape, 'end.').trailingSpace).toBe(false);
  });

  it('continues the last words of a prompt whose first words the KB has never seen together', async () => {
    const prompt = 'Quantum computers and purple giraffes aside. The farmers waited for the water to fall, then';
    const result = await generate(generator(kb), shape, prompt, { maxTokens: 6, ensemble: 10 });
    expect(result.tokens).toEqual(after(1, ' The farmers waited for the water to fall, then', 6));
  });

  it('backs off to the end of the prompt when its start pins the chunk phase wrongly for its end', async () => {
    // Two whole chunks of one document, then 14 tokens of another starting half-way into a chunk:
    // the two chunks set the phase, under which the other text's pieces straddle its chunks, so no
    // level continues the whole window; its last 15 tokens alone are continued.
    const head = docs[0].slice(16, 32);
    const tail = docs[1].slice(20, 34);
    const prompt = detokenize([...head, ...tail]);
    expect(promptTokens(shape, prompt).tokens).toEqual([...head, ...tail]);
    const result = await generate(generator(kb), shape, prompt, { maxTokens: 4, ensemble: 10 });
    expect(result.tokens).toEqual(docs[1].slice(34, 38));
  });

  it('gives no continuation when no level holds the last token of the prompt', async () => {
    const result = await generate(generator(kb), shape, 'and the lamps came on one by one 🦄', { maxTokens: 5, ensemble: 10 });
    expect(result).toEqual({ text: '', tokens: [], promptTokens: tokenize('and the lamps came on one by one 🦄').length, spans: [], gaps: [], stop: 'no-continuation', steps: 1 });
  });

  it('rejects an empty prompt', async () => {
    await expect(generate(generator(kb), shape, '  \n', { maxTokens: 5, ensemble: 10 })).rejects.toThrow(ValidationError);
  });

  it('reports a pattern missing from the KB and stops before it, keeping the text before it', async () => {
    const doc = docs[2];
    const hierarchy = (await import('../../src/training/hierarchy.js')).buildHierarchy(doc, settings);
    // Leave out the level-0 chunk after the third one: the prompt ends where it would start.
    const missing = hierarchy.levels[0].names[3];
    const partial = openStore(join(root, 'partial'));
    try {
      await learnDocuments(partial, 'r', [doc], settings, new Set([missing]));
      const prompt = detokenize(doc.slice(2, hierarchy.levels[0].ends[2]));
      const result = await generate(generator(localGenerationKb(partial, 'r')), shape, prompt, { maxTokens: 20, ensemble: 10 });
      expect(result.stop).toBe('missing-pattern');
      expect(result.tokens).toEqual([]);
      expect(result.gaps).toEqual([{ level: 0, name: missing, parentLevel: 1, parent: hierarchy.levels[1].names[0] }]);
    } finally {
      await partial.close();
    }
  });
});
