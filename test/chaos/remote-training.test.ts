import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientLogger } from '../../src/client/transport.js';
import { openStore } from '../../src/store/index.js';
import { localKnowledgeBase, type KnowledgeBase } from '../../src/training/knowledge-base.js';
import { remoteKnowledgeBase } from '../../src/training/remote-knowledge-base.js';
import { runTraining, type TrainingReport } from '../../src/training/session.js';
import { CLI, ChaosProxy, ServerProcess, requireBuiltCli } from './harness.js';

/** A few dozen documents of the bundled Brown corpus, committed about one per batch. */
const DOCS = 36;
const BATCH_TOKENS = 2_000;

const root = mkdtempSync(join(tmpdir(), 'kato-chaos-'));
const servers: ServerProcess[] = [];
let proxy: ChaosProxy;

beforeAll(async () => {
  requireBuiltCli();
  proxy = new ChaosProxy();
  await proxy.listen();
});

afterAll(async () => {
  // Every child dies, whatever happened in the test.
  await Promise.all(servers.map((server) => server.stop('SIGKILL')));
  await proxy?.close();
  rmSync(root, { recursive: true, force: true });
});

function train(kb: KnowledgeBase, dataDir: string): Promise<TrainingReport> {
  return runTraining({
    kb,
    dataDir,
    run: 'chaos',
    resume: false,
    reset: false,
    maxDocs: DOCS,
    workers: 0,
    batchTokens: BATCH_TOKENS,
    katoVersion: 'chaos-test',
  });
}

function inspectJson(...args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'inspect', '--run', 'chaos', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`kato inspect exited ${code}: ${stderr}`))));
  });
}

type Fault = 'cut-reply' | 'kill-before' | 'kill-during' | 'sigterm-during';

describe('remote training under server crashes', () => {
  it('finishes with the embedded digest while the server is killed and restarted, applying no document twice', { timeout: 180_000 }, async () => {
    const embedded = await train(localKnowledgeBase(openStore(join(root, 'embedded'))), join(root, 'embedded'));
    expect(embedded.docs).toBe(DOCS);

    const server = new ServerProcess(join(root, 'server'));
    servers.push(server);
    proxy.upstream = await server.start();

    let restarts = 0;
    let graceful: number | null = null;
    const restart = async (): Promise<void> => {
      await server.exit();
      proxy.upstream = null;
      proxy.dropAll();
      proxy.upstream = await server.start();
      restarts++;
    };

    const lines: string[] = [];
    const logger: ClientLogger = { info: (_f, m) => lines.push(m), warn: (_f, m) => lines.push(m), debug: () => undefined };
    const remote = remoteKnowledgeBase({ baseUrl: proxy.url, logger, retry: { healthPollMs: 50 } });

    // Faults by commit number: replies cut after the server applied the batch, kills before and
    // during a commit, and one graceful SIGTERM with the commit in flight.
    const schedule = new Map<number, Fault>([
      [2, 'cut-reply'],
      [4, 'kill-before'],
      [6, 'cut-reply'],
      [9, 'sigterm-during'],
      [12, 'kill-during'],
      [15, 'cut-reply'],
      [18, 'kill-before'],
    ]);
    const pending: Promise<void>[] = [];
    let commits = 0;
    const kb: KnowledgeBase = {
      ...remote,
      async commitDocuments(run, docs, options) {
        const fault = schedule.get(++commits);
        if (fault === 'cut-reply') {
          proxy.cutNextReply(() => {
            server.killNow();
            pending.push(restart());
          });
        } else if (fault === 'kill-before') {
          await server.stop('SIGKILL');
          pending.push(restart());
        }
        const commit = remote.commitDocuments(run, docs, options);
        if (fault === 'kill-during') {
          setTimeout(() => {
            server.killNow();
            pending.push(restart());
          }, 2);
        } else if (fault === 'sigterm-during') {
          setTimeout(() => {
            pending.push(
              server.stop('SIGTERM').then(() => {
                graceful = server.exitCode;
                return restart();
              }),
            );
          }, 1);
        }
        return commit;
      },
    };

    const report = await train(kb, join(root, 'trainer'));
    await Promise.all(pending);
    const counters = { ...remote.counters };
    await remote.close();

    // Same knowledge base as the embedded run: same patterns, same frequencies.
    expect(report.digest).toBe(embedded.digest);
    expect(report.levels).toEqual(embedded.levels);
    // The server's ledger holds each document once and the run's token count matches.
    expect(report.docs).toBe(DOCS);
    expect(report.tokens).toBe(embedded.tokens);
    expect(report.session.docs + report.session.duplicates).toBe(DOCS);

    expect(restarts).toBe(schedule.size);
    expect(graceful).toBe(0);
    expect(proxy.cuts).toBe(3);
    // Every fault cost at least one retry; every cut reply was answered from the server's record.
    expect(counters.retries).toBeGreaterThanOrEqual(schedule.size);
    expect(counters.healthWaits).toBeGreaterThanOrEqual(1);
    expect(counters.dedupHits + counters.duplicateDocuments).toBeGreaterThanOrEqual(3);
    expect(lines).toContain('server unreachable; waiting for /health');
    expect(lines).toContain('server is healthy again; carrying on');

    // Inspecting over HTTP and on the server's data directory gives the same digest.
    const overHttp = await inspectJson('--server', proxy.url);
    const onDisk = await inspectJson('--data-dir', join(root, 'server'));
    expect(overHttp.digest).toBe(embedded.digest);
    expect(onDisk.digest).toBe(embedded.digest);
    expect(overHttp.docs).toBe(DOCS);
    console.log(
      `chaos: ${restarts} restarts (${schedule.size - 1} SIGKILL, 1 SIGTERM), ${proxy.cuts} replies cut; client ${JSON.stringify(counters)}; digest ${report.digest}`,
    );
  });
});
