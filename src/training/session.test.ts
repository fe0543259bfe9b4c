import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { openStore } from '../store/index.js';
import { localKnowledgeBase, type KnowledgeBase } from './knowledge-base.js';
import { manifestPath, readManifest } from './manifest.js';
import { runKbId } from './nodes.js';
import { runTraining, type TrainingRequest } from './session.js';
import { writeSyntheticJsonl } from './synthetic.js';

const root = mkdtempSync(join(tmpdir(), 'kato-session-'));
const corpus = join(root, 'corpus.jsonl');
let dirs = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(() => writeSyntheticJsonl(corpus, { seed: 3, documents: 12, vocabulary: 300, minWords: 30, maxWords: 200 }));

function dataDir(): { dir: string; kb: KnowledgeBase } {
  const dir = join(root, `data${dirs++}`);
  return { dir, kb: localKnowledgeBase(openStore(dir)) };
}

function request(kb: KnowledgeBase, dir: string, extra: Partial<TrainingRequest> = {}): TrainingRequest {
  return {
    kb,
    dataDir: dir,
    run: 'r',
    resume: false,
    reset: false,
    dataset: corpus,
    hierarchy: { levels: 3, chunks: [4, 4, 2], remainder: 'merge' },
    workers: 0,
    katoVersion: 'test',
    ...extra,
  };
}

describe('runTraining', () => {
  it('trains a run, reports per-level counts and writes its manifest', async () => {
    const { dir, kb } = dataDir();
    const report = await runTraining(request(kb, dir));
    expect(report).toMatchObject({ run: 'r', status: 'complete', docs: 12 });
    expect(report.levels.map((l) => l.level)).toEqual([0, 1, 2]);
    expect(report.levels[0].learned).toBeGreaterThan(report.levels[1].learned);
    expect(report.digest).toMatch(/^[0-9a-f]{64}$/);
    const manifest = readManifest(dir, 'r')!;
    expect(manifest).toMatchObject({ run: 'r', status: 'complete', docs: 12, digest: report.digest, configHash: report.configHash });
    expect(manifest.sessions).toHaveLength(1);
    expect(manifest.config).toMatchObject({ chunks: [4, 4, 2], tokenizer: { name: 'gpt2' }, dataset: { spec: corpus } });
    expect(existsSync(join(dir, 'runs', 'r', 'train.lock'))).toBe(false);
    await kb.close();
  });

  it('marks the manifest running with the trainer’s pid while a session trains, and records the outcome after', async () => {
    const { dir, kb } = dataDir();
    await runTraining(request(kb, dir, { maxDocs: 2 }));
    let during: ReturnType<typeof readManifest> = null;
    await runTraining(
      request(kb, dir, {
        resume: true,
        progress: () => ({
          update: () => {
            during ??= readManifest(dir, 'r');
          },
          stop: () => undefined,
        }),
      }),
    );
    expect(during).toMatchObject({ status: 'running', pid: process.pid, docs: 2, digest: null });
    expect(during!.sessions.map((s) => s.status)).toEqual(['max-docs']);
    const after = readManifest(dir, 'r')!;
    expect(after).toMatchObject({ status: 'complete', docs: 12 });
    expect(after.pid).toBeUndefined();
    expect(after.sessions.map((s) => s.status)).toEqual(['max-docs', 'complete']);
    await kb.close();
  });

  it('refuses an existing run without --resume, offering --resume and --reset', async () => {
    const { dir, kb } = dataDir();
    await runTraining(request(kb, dir, { maxDocs: 3 }));
    const again = runTraining(request(kb, dir));
    await expect(again).rejects.toThrow(ConflictError);
    await expect(runTraining(request(kb, dir))).rejects.toThrow(/run 'r' already exists \(3 documents.*use --resume .* or --reset/);
    await kb.close();
  });

  it('resumes with the run’s own settings when none are given, and appends the session to the manifest', async () => {
    const { dir, kb } = dataDir();
    const full = await runTraining(request(kb, dir, { run: 'whole' }));
    await runTraining(request(kb, dir, { maxDocs: 5 }));
    const resumed = await runTraining(request(kb, dir, { resume: true, dataset: undefined, hierarchy: undefined }));
    expect(resumed).toMatchObject({ status: 'complete', docs: 12 });
    expect(resumed.session.docs).toBe(7);
    expect(resumed.digest).toBe(full.digest);
    expect(readManifest(dir, 'r')!.sessions.map((s) => s.docs)).toEqual([5, 7]);
    await kb.close();
  });

  it('refuses to resume a run that does not exist, naming the run and the data directory, and creates nothing', async () => {
    const { dir, kb } = dataDir();
    const resumed = runTraining(request(kb, dir, { run: 'missing', resume: true }));
    await expect(resumed).rejects.toThrow(NotFoundError);
    await expect(runTraining(request(kb, dir, { run: 'missing', resume: true }))).rejects.toThrow(
      `cannot resume run 'missing': there is no such run in ${dir}; check --run and --data-dir, or run the command without --resume to start it`,
    );
    expect(await kb.listRuns()).toEqual([]);
    expect(existsSync(join(dir, 'runs', 'missing'))).toBe(false);
    await kb.close();
  });

  it('refuses a resume whose config differs, naming each differing field', async () => {
    const { dir, kb } = dataDir();
    await runTraining(request(kb, dir, { maxDocs: 2 }));
    const changed = request(kb, dir, { resume: true, hierarchy: { levels: 2, chunks: [4, 5], remainder: 'merge' }, provenance: 3 });
    await expect(runTraining(changed)).rejects.toThrow(ConflictError);
    const message = await runTraining(changed).catch((error: Error) => error.message);
    expect(message).toContain("cannot resume run 'r'");
    expect(message).toContain('chunks.1: run has 4, this command has 5');
    expect(message).toContain('chunks.2: run has 2, this command has (absent)');
    expect(message).toContain('levels: run has 3, this command has 2');
    expect(message).toContain('provenance: run has 0, this command has 3');
    await kb.close();
  });

  it('--reset clears the run’s patterns and ledger before training it again', async () => {
    const { dir, kb } = dataDir();
    const first = await runTraining(request(kb, dir));
    const reset = await runTraining(request(kb, dir, { reset: true, maxDocs: 4 }));
    expect(reset).toMatchObject({ docs: 4, status: 'max-docs' });
    expect(reset.levels[0].learned).toBeLessThan(first.levels[0].learned);
    const again = await runTraining(request(kb, dir, { resume: true }));
    expect(again.digest).toBe(first.digest);
    expect(readManifest(dir, 'r')!.sessions).toHaveLength(2);
    await expect(runTraining(request(kb, dir, { reset: true, resume: true }))).rejects.toThrow(ValidationError);
    await kb.close();
  });

  it('refuses to start a run over patterns left without a ledger', async () => {
    const { dir, kb } = dataDir();
    const store = openStore(dir);
    await store.learn(runKbId('r', 1), [{ events: [['a'], ['b']] }], { persistence: 5 });
    await store.close();
    await expect(runTraining(request(kb, dir))).rejects.toThrow(/holds patterns under run 'r' \(r\/node1\) but no ledger.*--reset/);
    const report = await runTraining(request(kb, dir, { reset: true }));
    expect(report.levels[1].learned).toBeGreaterThan(0);
    expect(await kb.runNodes('r')).toEqual(['r/node0', 'r/node1', 'r/node2']);
    await kb.close();
  });

  it('refuses a run another live trainer holds, and takes over a dead trainer’s lock', async () => {
    const { dir, kb } = dataDir();
    mkdirSync(join(dir, 'runs', 'r'), { recursive: true });
    const lock = join(dir, 'runs', 'r', 'train.lock');
    writeFileSync(lock, `${process.ppid}\n`);
    await expect(runTraining(request(kb, dir))).rejects.toThrow(new RegExp(`being trained by process ${process.ppid}`));
    // No process has pid 2^22 + 1 (above Linux's pid_max default).
    writeFileSync(lock, `${2 ** 22 + 1}\n`);
    await expect(runTraining(request(kb, dir, { maxDocs: 1 }))).resolves.toMatchObject({ docs: 1 });
    expect(existsSync(lock)).toBe(false);
    await kb.close();
  });

  it('rejects bad run names and unknown datasets without creating a run', async () => {
    const { dir, kb } = dataDir();
    await expect(runTraining(request(kb, dir, { run: '../x' }))).rejects.toThrow(/invalid run name '\.\.\/x'/);
    await expect(runTraining(request(kb, dir, { dataset: join(root, 'missing.jsonl') }))).rejects.toThrow(/unknown dataset/);
    expect(await kb.listRuns()).toEqual([]);
    await kb.close();
  });

  it('records a failed session in the manifest with what it committed and why it stopped', async () => {
    const { dir, kb } = dataDir();
    const broken = join(root, 'broken.jsonl');
    writeFileSync(broken, '{"text": "a first document that is long enough"}\n{"text": nope}\n');
    await expect(runTraining(request(kb, dir, { dataset: broken }))).rejects.toThrow(/line 2/);
    const manifest = readManifest(dir, 'r')!;
    expect(manifest).toMatchObject({ status: 'failed', docs: 1, digest: null });
    expect(manifest.sessions[0]).toMatchObject({ status: 'failed', docs: 1 });
    expect(manifest.sessions[0].error).toContain('line 2');
    await kb.close();
  });

  it('writes the manifest as one JSON document and leaves no temporary file', async () => {
    const { dir, kb } = dataDir();
    await runTraining(request(kb, dir, { maxDocs: 2 }));
    await runTraining(request(kb, dir, { resume: true, maxDocs: 3 }));
    const text = readFileSync(manifestPath(dir, 'r'), 'utf8');
    expect(JSON.parse(text)).toMatchObject({ format: 'kato-ts/run-manifest/1', docs: 3 });
    expect(readdirSync(join(dir, 'runs', 'r'))).toEqual(['manifest.json']);
    await kb.close();
  });
});
