import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cursorToString, resolveDataset, type Cursor, type DatasetRecord, type DatasetSource } from '../datasets/index.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { documentCommit } from './commit.js';
import type { TrainingConfig } from './config.js';
import { runDigest } from './digest.js';
import { localKnowledgeBase, type KnowledgeBase } from './knowledge-base.js';
import { runKbId } from './nodes.js';
import { prepareText } from './prepare.js';
import { openRun } from './run.js';
import { settleConfig } from './session.js';
import { syntheticDocuments } from './synthetic.js';
import { DEFAULT_BATCH_TOKENS, MAX_BATCH_TOKENS, defaultBatchTokens, train, type TrainOptions, type TrainSession } from './trainer.js';

const root = mkdtempSync(join(tmpdir(), 'kato-trainer-'));
const corpus = join(root, 'corpus.jsonl');
let dirs = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

// 30 documents of 20–400 words, with a repeated document and documents too short to reach level 1.
const texts = [...syntheticDocuments({ seed: 11, documents: 26, vocabulary: 400, minWords: 20, maxWords: 400 })];
texts.splice(3, 0, 'Hello');
texts.splice(7, 0, 'one two three four five');
texts.splice(12, 0, texts[0]);
texts.splice(20, 0, texts[5]);
const DOCS = texts.length;

beforeAll(() => {
  writeFileSync(corpus, texts.map((text, i) => JSON.stringify({ id: `doc-${i}`, text })).join('\n') + '\n');
});

interface Trained {
  store: Store;
  kb: KnowledgeBase;
  config: TrainingConfig;
  sessions: TrainSession[];
}

function setup(overrides: { chunks?: number[]; provenance?: number } = {}): Trained {
  const store = openStore(join(root, `kb${dirs++}`));
  const chunks = overrides.chunks ?? [4, 3, 2, 2];
  const { config } = settleConfig(
    {
      kb: localKnowledgeBase(store),
      dataDir: root,
      run: 'r',
      resume: false,
      reset: false,
      dataset: corpus,
      hierarchy: { levels: chunks.length, chunks, remainder: 'merge' },
      provenance: overrides.provenance ?? 0,
      workers: 0,
      katoVersion: 'test',
    },
    undefined,
  );
  return { store, kb: localKnowledgeBase(store), config, sessions: [] };
}

async function session(t: Trained, options: Partial<TrainOptions> = {}): Promise<TrainSession> {
  await openRun(t.kb, 'r', t.config, { resume: true, reset: false });
  const result = await train({
    kb: t.kb,
    run: 'r',
    source: resolveDataset(t.config.dataset.spec, { idField: 'id' }),
    config: t.config,
    workers: 0,
    ...options,
  });
  t.sessions.push(result);
  return result;
}

async function digestOf(t: Trained): Promise<string> {
  return (await runDigest(t.kb, 'r', t.config.levels)).digest;
}

let reference: string;
// Property tests train many small runs; the two shared cores may be busy with other test files.
const SLOW = 180_000;

beforeAll(async () => {
  const t = setup();
  const result = await session(t);
  expect(result).toMatchObject({ status: 'complete', docs: DOCS, duplicates: 0, position: DOCS });
  reference = await digestOf(t);
  await t.store.close();
});

describe('default batch size', () => {
  it('grows with the tokens committed, between its floor and its ceiling', () => {
    expect(defaultBatchTokens(0)).toBe(DEFAULT_BATCH_TOKENS);
    expect(defaultBatchTokens(4 * DEFAULT_BATCH_TOKENS)).toBe(DEFAULT_BATCH_TOKENS);
    expect(defaultBatchTokens(6_000_000)).toBe(1_500_000);
    expect(defaultBatchTokens(10 ** 9)).toBe(MAX_BATCH_TOKENS);
  });
});

describe('train', () => {
  it('learns every document once, with level counts matching the hierarchy of each', async () => {
    const t = setup();
    const result = await session(t, { batchTokens: 500 });
    const expected = [0, 0, 0, 0];
    let tokens = 0;
    for (const text of texts) {
      const h = prepareText(text, { ...t.config, normalizer: 'none' });
      tokens += h.tokens.length;
      h.levels.forEach((level, l) => (expected[l] += level.names.length));
    }
    expect(result.learned).toEqual(expected);
    expect(result.tokens).toBe(tokens);
    const { levels } = await runDigest(t.kb, 'r', 4);
    expect(levels.map((l) => l.learned)).toEqual(expected);
    // The repeated documents learn their patterns twice.
    expect(levels[0].distinct).toBeLessThan(levels[0].learned);
    const run = (await t.kb.getRun('r'))!;
    expect(run).toMatchObject({ docs: DOCS, tokens, watermark: { seq: DOCS - 1 } });
    await t.store.close();
  });

  it('gives the same digest whatever the worker count and batch size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(0, 1, 2, 4), fc.integer({ min: 1, max: 6000 }), async (workers, batchTokens) => {
        const t = setup();
        await session(t, { workers, batchTokens });
        expect(await digestOf(t)).toBe(reference);
        await t.store.close();
      }),
      { numRuns: 6 },
    );
  }, SLOW);

  it('gives the same digest whatever the interruption points', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: DOCS }), { maxLength: 5 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 6 }),
        async (stops, batchTokens, abortAfter) => {
          const t = setup();
          for (const maxDocs of [...stops].sort((a, b) => a - b)) {
            const result = await session(t, { maxDocs, batchTokens });
            expect(result.position).toBe(Math.max(maxDocs, t.sessions.at(-2)?.position ?? 0));
          }
          // An interruption (Ctrl+C) after a few commits abandons whatever was not committed.
          const controller = new AbortController();
          let commits = 0;
          const interrupted = await session(t, {
            batchTokens,
            signal: controller.signal,
            onProgress: () => {
              if (++commits === abortAfter) controller.abort();
            },
          });
          expect(['interrupted', 'complete']).toContain(interrupted.status);
          await session(t, { batchTokens });
          expect(t.sessions.reduce((sum, s) => sum + s.docs, 0)).toBe(DOCS);
          expect(await digestOf(t)).toBe(reference);
          await t.store.close();
        },
      ),
      { numRuns: 8 },
    );
  }, SLOW);

  it('calls a session complete when its signal lands after the last document was committed', async () => {
    const t = setup();
    const controller = new AbortController();
    const result = await session(t, {
      batchTokens: 700,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.position === DOCS) controller.abort();
      },
    });
    expect(controller.signal.aborted).toBe(true);
    expect(result).toMatchObject({ status: 'complete', docs: DOCS });
    await t.store.close();
  });

  it('calls a session interrupted when its signal leaves documents uncommitted', async () => {
    const t = setup();
    const controller = new AbortController();
    const result = await session(t, {
      batchTokens: 700,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    expect(result.status).toBe('interrupted');
    expect(result.docs).toBeLessThan(DOCS);
    await t.store.close();
  });

  it('skips documents the ledger holds above the watermark (a commit that outran its watermark)', async () => {
    const t = setup();
    await session(t, { maxDocs: 5 });
    // Documents 6 and 8 were applied by a commit whose watermark never landed.
    const records: DatasetRecord[] = [];
    for await (const record of resolveDataset(corpus, { idField: 'id' }).open()) records.push(record);
    const ahead = [6, 8].map((seq) =>
      documentCommit('r', {
        seq,
        key: cursorToString(records[seq].cursor),
        next: cursorToString(records[seq].next),
        id: records[seq].id,
        hierarchy: prepareText(records[seq].text, { ...t.config, normalizer: 'none' }),
      }),
    );
    expect(await t.kb.commitDocuments('r', ahead, { persistence: 5 })).toEqual(['applied', 'applied']);
    expect((await t.kb.ledgerState('r')).appliedAbove.map((a) => a.seq)).toEqual([6, 8]);
    const result = await session(t, { batchTokens: 700 });
    expect(result).toMatchObject({ duplicates: 2, docs: DOCS - 5 - 2, status: 'complete' });
    expect(await digestOf(t)).toBe(reference);
    expect((await t.kb.getRun('r'))!.docs).toBe(DOCS);
    await t.store.close();
  });

  it('stays exactly-once when a commit fails before or after it is applied', async () => {
    for (const when of ['before', 'after'] as const) {
      const t = setup();
      let calls = 0;
      const flaky: KnowledgeBase = {
        ...t.kb,
        async commitDocuments(run, docs, options) {
          calls++;
          if (calls === 3 && when === 'before') throw new Error('connection reset');
          const results = await t.kb.commitDocuments(run, docs, options);
          if (calls === 3 && when === 'after') throw new Error('response lost');
          return results;
        },
      };
      await openRun(t.kb, 'r', t.config, { resume: false, reset: false });
      const source = resolveDataset(corpus, { idField: 'id' });
      await expect(train({ kb: flaky, run: 'r', source, config: t.config, workers: 0, batchTokens: 800 })).rejects.toThrow(
        when === 'before' ? 'connection reset' : 'response lost',
      );
      await session(t, { batchTokens: 3000 });
      expect(await digestOf(t)).toBe(reference);
      expect((await t.kb.getRun('r'))!.docs).toBe(DOCS);
      await t.store.close();
    }
  });

  it('commits what was read before a failing record, then reports the failure', async () => {
    const t = setup();
    const broken = join(root, 'broken.jsonl');
    writeFileSync(broken, `${JSON.stringify({ text: texts[0] })}\n${JSON.stringify({ text: texts[1] })}\n{"text": oops}\n`);
    const config = { ...t.config, dataset: { ...t.config.dataset, spec: broken } };
    await openRun(t.kb, 'r', config, { resume: false, reset: false });
    await expect(train({ kb: t.kb, run: 'r', source: resolveDataset(broken), config, workers: 0 })).rejects.toThrow(/line 3/);
    expect((await t.kb.getRun('r'))!.docs).toBe(2);
    await t.store.close();
  });

  it('stops at a document it cannot prepare, or skips and counts it with skipBad', async () => {
    // Every file reader rejects such text as corrupt; a source of in-memory records does not.
    const records = [texts[0], 'broken \ud800 text here', texts[1]];
    const source: DatasetSource = {
      describe: () => ({ name: 'memory', kind: 'jsonl', location: 'memory', normalizer: 'none', resume: 'seek' }),
      open(at) {
        const stats = { read: 0, yielded: 0, filtered: 0, nulls: 0, bad: 0, truncated: 0 };
        const cursor = (row: number): Cursor => ({ source: 'memory', shard: 0, shardName: 'memory', unit: 'row', offset: row });
        async function* rows(): AsyncGenerator<DatasetRecord> {
          for (let row = at?.offset ?? 0; row < records.length; row++) {
            yield { text: records[row], id: `odd-${row}`, cursor: cursor(row), next: cursor(row + 1) };
          }
        }
        return Object.assign(rows(), { stats, problems: [] });
      },
    };
    const t = setup();
    await openRun(t.kb, 'r', t.config, { resume: false, reset: false });
    await expect(train({ kb: t.kb, run: 'r', source, config: t.config, workers: 0 })).rejects.toThrow(
      /document odd-1 \(cursor memory:0:memory:r1\) cannot be prepared: .*unpaired surrogate.*--skip-bad/,
    );
    expect((await t.kb.getRun('r'))!.docs).toBe(1);
    const skipping = await train({ kb: t.kb, run: 'r', source, config: t.config, workers: 1, skipBad: true });
    expect(skipping).toMatchObject({ status: 'complete', docs: 2, skippedCount: 1, skipped: [{ id: 'odd-1' }] });
    const resumed = await train({ kb: t.kb, run: 'r', source, config: t.config, workers: 0 });
    expect(resumed).toMatchObject({ status: 'complete', docs: 0, skippedCount: 0 });
    expect((await t.kb.getRun('r'))!.docs).toBe(3);
    await t.store.close();
  });

  it('keeps the sources of the first learns of a pattern only, whatever the batches', async () => {
    const results: string[][] = [];
    for (const batchTokens of [1, 100_000]) {
      const t = setup({ provenance: 1 });
      await session(t, { batchTokens });
      // texts[0] appears at positions 0 and 12: its first pattern keeps only the first source.
      const first = prepareText(texts[0], { ...t.config, normalizer: 'none' }).levels[0].names[0];
      const pattern = (await t.store.getPattern(runKbId('r', 0), first))!;
      expect(pattern.frequency).toBeGreaterThanOrEqual(2);
      results.push(pattern.metadata.source);
      expect(await digestOf(t)).toBe(reference);
      await t.store.close();
    }
    expect(results).toEqual([['doc-0'], ['doc-0']]);
  });
});
