import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/engine/random.js';
import { committedDocs, kato, startKato, type Finished } from '../cli-process.js';

const DOCS = 40;
const root = mkdtempSync(join(tmpdir(), 'kato-e2e-train-'));
let dirs = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

function newDataDir(): string {
  return join(root, `data${dirs++}`);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the run has committed more than `after` documents, or the process ended. */
async function untilCommitted(dataDir: string, after: number, done: Promise<Finished>): Promise<boolean> {
  let ended = false;
  void done.then(() => (ended = true));
  while (!ended) {
    if ((await committedDocs(dataDir)) > after) return true;
    await sleep(20);
  }
  return false;
}

const TRAIN = ['train', '--max-docs', String(DOCS), '--progress', 'none'];

function parseResult(finished: Finished): Record<string, any> {
  expect(finished.stderr).not.toMatch(/^kato: /m);
  expect(finished.code).toBe(0);
  const lines = finished.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]);
}

let reference: Record<string, any>;
let referenceDir: string;

// Generous limits: the two shared cores may be busy with other test files.
const SLOW = 180_000;

beforeAll(async () => {
  referenceDir = newDataDir();
  reference = parseResult(await kato(...TRAIN, '--workers', '1', '--json', '--data-dir', referenceDir));
}, SLOW);

describe('kato train on the bundled corpus', () => {
  it('prints one JSON object with the run, its counts and digest', () => {
    expect(reference).toMatchObject({ run: 'default', status: 'max-docs', docs: DOCS });
    expect(reference.tokens).toBeGreaterThan(50_000);
    expect(reference.seconds).toBeGreaterThan(0);
    expect(reference.tokensPerSecond).toBeGreaterThan(0);
    expect(reference.levels.map((l: { level: number }) => l.level)).toEqual([0, 1, 2, 3]);
    for (const level of reference.levels) {
      expect(level.learned).toBeGreaterThanOrEqual(level.distinct);
      expect(level.distinct).toBeGreaterThan(0);
    }
    expect(reference.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(existsSync(join(referenceDir, 'runs', 'default', 'manifest.json'))).toBe(true);
  });

  it('learns the same KB with 4 workers as with 1', async () => {
    const result = parseResult(await kato(...TRAIN, '--workers', '4', '--json', '--data-dir', newDataDir()));
    expect(result.digest).toBe(reference.digest);
    expect(result.levels).toEqual(reference.levels);
  }, SLOW);

  it('learns the same KB when killed with SIGKILL at random points and resumed until done', async () => {
    const dataDir = newDataDir();
    const random = seededRandom(20261203);
    let kills = 0;
    let final: Finished | undefined;
    const args = [...TRAIN, '--workers', '2', '--batch-tokens', '2000', '--json', '--data-dir', dataDir];
    // Up to 5 kills, each after the session committed something (so every session makes progress),
    // then a session left to finish; every session after the first resumes the run.
    for (let attempt = 0; attempt < 6 && !final; attempt++) {
      const before = await committedDocs(dataDir);
      const { child, done } = startKato(attempt === 0 ? args : [...args, '--resume']);
      if (attempt < 5 && (await untilCommitted(dataDir, before, done))) {
        // Small batches: many commits, so kills land before, between and during them.
        await sleep(Math.floor(random() * 300));
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          kills++;
        }
      }
      const finished = await done;
      if (finished.code === 0) final = finished;
      else expect(finished.signal).toBe('SIGKILL');
    }
    expect(kills).toBeGreaterThanOrEqual(1);
    const result = parseResult(final!);
    expect(result.docs).toBe(DOCS);
    expect(result.digest).toBe(reference.digest);
    const inspected = JSON.parse((await kato('inspect', '--json', '--data-dir', dataDir)).stdout);
    expect(inspected.digest).toBe(reference.digest);
    expect(inspected.docs).toBe(DOCS);
  }, SLOW);

  it('stops on SIGINT with exit 130 and a resume hint, and the resumed run learns the same KB', async () => {
    const dataDir = newDataDir();
    const { child, done } = startKato([...TRAIN, '--workers', '1', '--batch-tokens', '2000', '--data-dir', dataDir]);
    await untilCommitted(dataDir, 0, done);
    child.kill('SIGINT');
    const stopped = await done;
    if (stopped.code !== 0) {
      expect(stopped.code).toBe(130);
      expect(stopped.stderr).toContain('kato train --resume --run default');
    }
    const resumed = parseResult(await kato(...TRAIN, '--resume', '--json', '--data-dir', dataDir));
    expect(resumed.digest).toBe(reference.digest);
  }, SLOW);

  it('stops on SIGINT within a batch at the default batch sizes, and the resumed run learns what an uninterrupted one does', async () => {
    // The whole corpus, so that plenty is left after the first commit; documents prepared ahead
    // must not keep the signal from being handled until the end.
    const whole = ['train', '--progress', 'none', '--workers', '1'];
    const uninterrupted = parseResult(await kato(...whole, '--json', '--data-dir', newDataDir()));
    const dataDir = newDataDir();
    const { child, done } = startKato([...whole, '--data-dir', dataDir]);
    expect(await untilCommitted(dataDir, 0, done)).toBe(true);
    child.kill('SIGINT');
    const stopped = await done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain('kato train --resume --run default');
    expect(await committedDocs(dataDir)).toBeLessThan(uninterrupted.docs);
    const resumed = parseResult(await kato(...whole, '--resume', '--json', '--data-dir', dataDir));
    expect(resumed.digest).toBe(uninterrupted.digest);
  }, SLOW);

  it('shows a run whose trainer was killed with SIGKILL as interrupted and resumable, until a session completes it', async () => {
    const dataDir = newDataDir();
    const { child, done } = startKato([...TRAIN, '--workers', '1', '--batch-tokens', '2000', '--data-dir', dataDir]);
    expect(await untilCommitted(dataDir, 0, done)).toBe(true);
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    const resume = `kato train --resume --run default --data-dir ${JSON.stringify(dataDir)} --max-docs ${DOCS}`;
    const killed = JSON.parse((await kato('status', '--json', '--data-dir', dataDir)).stdout);
    expect(killed.runs).toMatchObject([{ run: 'default', trainer: null, state: 'interrupted', resume }]);
    const text = await kato('status', '--data-dir', dataDir);
    expect(text.stdout).toContain(`interrupted, not complete (resumable: ${resume})`);
    expect(text.stdout).not.toContain('idle');

    parseResult(await kato(...TRAIN, '--resume', '--json', '--data-dir', dataDir));
    const resumed = JSON.parse((await kato('status', '--json', '--data-dir', dataDir)).stdout);
    expect(resumed.runs).toMatchObject([{ run: 'default', docs: DOCS, state: 'idle', resume: null, lastSession: { status: 'max-docs' } }]);
  }, SLOW);

  it('inspects a run: per-level counts, total frequency and the same digest', async () => {
    const inspected = JSON.parse((await kato('inspect', '--json', '--data-dir', referenceDir)).stdout);
    expect(inspected).toMatchObject({ run: 'default', docs: DOCS, tokens: reference.tokens, digest: reference.digest });
    expect(inspected.levels.map((l: { patterns: number }) => l.patterns)).toEqual(reference.levels.map((l: { distinct: number }) => l.distinct));
    expect(inspected.levels.map((l: { totalFrequency: number }) => l.totalFrequency)).toEqual(
      reference.levels.map((l: { learned: number }) => l.learned),
    );
    const text = await kato('inspect', '--data-dir', referenceDir);
    expect(text.stdout).toContain(`digest ${reference.digest}`);
    const status = JSON.parse((await kato('status', '--json', '--data-dir', referenceDir)).stdout);
    expect(status.runs).toMatchObject([{ run: 'default', docs: DOCS, trainer: null, lastSession: { status: 'max-docs' } }]);
  }, SLOW);
});

describe('kato train refuses what it cannot do, with a clear message', () => {
  it.each([
    [['--chunks', '8,x'], "--chunks must be a whole number from 2 to 1024; got 'x' in '8,x'"],
    [['--levels', '3', '--chunks', '8,8'], '--chunks gives 2 sizes but --levels is 3'],
    [['--dataset', 'no-such-dataset'], "unknown dataset 'no-such-dataset'"],
    [['--dataset', '/nonexistent/corpus.jsonl'], "unknown dataset '/nonexistent/corpus.jsonl'"],
    [['--workers', 'many'], '--workers must be a whole number'],
    [['--resume', '--reset'], '--resume and --reset contradict each other'],
    [['--normalizer', 'bogus'], "unknown normaliser 'bogus' (known: none, wikitext)"],
    [['--text-field', 'body'], "dataset 'brown' has no text field to choose"],
  ])('kato train %j', async (args, message) => {
    const result = await kato('train', '--data-dir', newDataDir(), '--progress', 'none', ...args);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`kato: ${message}`);
    expect(result.stdout).toBe('');
  });

  it('refuses to train an existing run again without --resume or --reset', async () => {
    const result = await kato(...TRAIN, '--data-dir', referenceDir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/kato: run 'default' already exists \(40 documents.*use --resume to continue it, or --reset/);
  });

  it('refuses to resume a run that does not exist, suggesting to start it without --resume', async () => {
    const dataDir = newDataDir();
    const result = await kato(...TRAIN, '--resume', '--run', 'nope', '--data-dir', dataDir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`kato: cannot resume run 'nope': there is no such run in ${dataDir}`);
    expect(result.stderr).toContain('without --resume to start it');
    expect(result.stdout).toBe('');
    expect(JSON.parse((await kato('status', '--json', '--data-dir', dataDir)).stdout).runs).toEqual([]);
  });

  it('refuses a resume with different settings, printing each difference', async () => {
    const result = await kato(...TRAIN, '--resume', '--chunks', '6,8,8,8', '--data-dir', referenceDir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("kato: cannot resume run 'default'");
    expect(result.stderr).toContain('chunks.0: run has 8, this command has 6');
  });

  it('lists the dataset registry', async () => {
    const result = await kato('datasets');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^brown +Brown corpus/m);
    expect(result.stdout).toContain('wikitext-103');
  });
});

describe('kato train on a dataset it cannot read', () => {
  it('leaves no run behind when the first record is corrupt, so the corrected command starts afresh', async () => {
    const dataDir = newDataDir();
    const corpus = join(root, 'body.jsonl');
    writeFileSync(corpus, '{"body":"a first document long enough to learn from"}\n{"body":"and a second one, also long enough"}\n');
    const failed = await kato('train', '--dataset', corpus, '--run', 'body', '--data-dir', dataDir, '--progress', 'none');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/no field 'text'/);
    expect((await kato('status', '--json', '--data-dir', dataDir)).stdout).not.toMatch(/"body"/);
    expect(existsSync(join(dataDir, 'runs', 'body'))).toBe(false);
    const fixed = await kato('train', '--dataset', corpus, '--text-field', 'body', '--run', 'body', '--data-dir', dataDir, '--progress', 'none', '--json');
    expect(fixed.code).toBe(0);
    expect(JSON.parse(fixed.stdout).docs).toBe(2);
  });
});
