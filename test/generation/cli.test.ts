import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brownSource } from '../../src/datasets/index.js';
import { openStore } from '../../src/store/index.js';
import { detokenize, tokenize } from '../../src/text/index.js';
import { buildHierarchy } from '../../src/training/hierarchy.js';
import { kato } from '../cli-process.js';
import { learnDocuments } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'kato-generation-cli-'));
const trained = join(root, 'trained');
let doc: string[];

beforeAll(async () => {
  const train = await kato('train', '--max-docs', '3', '--data-dir', trained, '--progress', 'none');
  expect(train.code).toBe(0);
  // Brown's normaliser is 'none': its training text is the record's text as it stands.
  for await (const record of brownSource().open()) {
    doc = tokenize(record.text);
    break;
  }
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('kato generate', () => {
  it('prints only the continuation of the prompt', async () => {
    const out = await kato('generate', detokenize(doc.slice(301, 323)), '--data-dir', trained, '--max-tokens', '16');
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(`${detokenize(doc.slice(323, 339))}\n`);
  });

  it('prints the text with its provenance as one JSON object with --json', async () => {
    const out = await kato('generate', detokenize(doc.slice(301, 323)), '--data-dir', trained, '--max-tokens', '16', '--json');
    expect(out.code).toBe(0);
    const result = JSON.parse(out.stdout);
    expect(result).toMatchObject({
      run: 'default',
      promptTokens: 22,
      text: detokenize(doc.slice(323, 339)),
      tokens: doc.slice(323, 339),
      stop: 'max-tokens',
      gaps: [],
      settings: { maxTokens: 16, ensemble: 10, sampling: null },
    });
    expect(result.spans.length).toBeGreaterThan(0);
    for (const span of result.spans) {
      expect(Object.keys(span).sort()).toEqual(['aligned', 'end', 'frequency', 'level', 'offset', 'pattern', 'phase', 'potential', 'rank', 'similarity', 'start', 'text'].sort());
    }
    expect(result.spans.at(-1).end).toBe(16);
  });

  it('samples the same text for the same seed', async () => {
    const args = ['generate', 'of the', '--data-dir', trained, '--max-tokens', '8', '--seed', '7', '--temperature', '0.5', '--top-k', '5'];
    const first = await kato(...args);
    expect(first.code).toBe(0);
    expect((await kato(...args)).stdout).toBe(first.stdout);
  });

  it('exits 2 with a clear message when nothing continues the prompt', async () => {
    const out = await kato('generate', 'and then 🦄🦄', '--data-dir', trained);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/no continuation: no level of run 'default' holds text that continues the end of the prompt/);
    const json = await kato('generate', 'and then 🦄🦄', '--data-dir', trained, '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ text: '', tokens: [], spans: [], stop: 'no-continuation' });
  });

  it('exits 3 naming the missing pattern when the KB lacks one the continuation needs', async () => {
    const settings = { levels: 2, chunks: [8, 8], remainder: 'merge' as const };
    const missing = buildHierarchy(doc, settings).levels[0].names[3];
    const dataDir = join(root, 'partial');
    const store = openStore(dataDir);
    await learnDocuments(store, 'default', [doc], settings, new Set([missing]));
    await store.close();
    const out = await kato('generate', detokenize(doc.slice(2, 24)), '--data-dir', dataDir, '--max-tokens', '20');
    expect(out.code).toBe(3);
    expect(out.stderr).toContain(`pattern ${missing} of level 0`);
    expect(out.stderr).toContain('is missing from the knowledge base');
  });

  it('refuses bad flags, a missing data directory and an unknown run with exit 1', async () => {
    const cases: [string[], RegExp][] = [
      [['--temperature', '2'], /--temperature and --top-k shape sampling, which --seed turns on: give --seed too/],
      [['--seed', '1', '--temperature', '0'], /--temperature must be a number greater than 0/],
      [['--max-tokens', '0'], /--max-tokens must be a whole number from 1/],
      [['--ensemble', 'ten'], /--ensemble must be a whole number/],
      [['--run', 'nope'], /no run 'nope' in this knowledge base \(known runs: default\)/],
      [['--data-dir', join(root, 'absent')], /no knowledge base in .*absent: train one with kato train/],
    ];
    for (const [flags, message] of cases) {
      const out = await kato('generate', 'the jury', '--data-dir', trained, ...flags);
      expect(out.code, flags.join(' ')).toBe(1);
      expect(out.stderr).toMatch(message);
    }
  });

  it('documents its flags and exit codes in --help', async () => {
    const out = await kato('generate', '--help');
    expect(out.code).toBe(0);
    for (const flag of ['--data-dir', '--run', '--server', '--max-tokens', '--ensemble', '--seed', '--temperature', '--top-k', '--json']) {
      expect(out.stdout).toContain(flag);
    }
    expect(out.stdout).toMatch(/2 no continuation/);
    expect(out.stdout).toMatch(/3 stopped at a pattern missing/);
  });
});
