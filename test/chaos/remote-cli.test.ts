import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KatoClient } from '../../src/client/kato.js';
import { openStore } from '../../src/store/index.js';
import { localKnowledgeBase } from '../../src/training/knowledge-base.js';
import { MIRROR_SERVICE_NAME } from '../../src/training/remote-kato.js';
import { kato, type Finished } from '../cli-process.js';
import { CLI, ServerProcess, requireBuiltCli } from './harness.js';

const root = mkdtempSync(join(tmpdir(), 'kato-remote-cli-'));
const server = new ServerProcess(join(root, 'server'));
let url = '';

beforeAll(async () => {
  requireBuiltCli();
  url = `http://127.0.0.1:${await server.start()}`;
});

afterAll(async () => {
  await server.stop('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

function json(finished: Finished): Record<string, any> {
  expect(finished.stderr).not.toMatch(/^kato: /m);
  expect(finished.code).toBe(0);
  return JSON.parse(finished.stdout.trim());
}

const TRAIN = ['train', '--progress', 'none', '--json'];

describe('kato train and inspect with --server', () => {
  it('trains over the native routes to the digest of an embedded run, and inspects it over HTTP', async () => {
    const embedded = json(await kato(...TRAIN, '--max-docs', '8', '--data-dir', join(root, 'embedded')));
    const remote = json(await kato(...TRAIN, '--max-docs', '8', '--data-dir', join(root, 'trainer'), '--server', url));
    expect(remote.digest).toBe(embedded.digest);
    expect(remote.docs).toBe(8);
    expect(remote.client).toMatchObject({ retries: 0, duplicateDocuments: 0 });
    expect(remote.client.requests).toBeGreaterThan(0);

    const inspected = json(await kato('inspect', '--json', '--server', url));
    expect(inspected.digest).toBe(embedded.digest);
    expect(inspected.levels).toEqual(json(await kato('inspect', '--json', '--data-dir', join(root, 'server'))).levels);

    const resumed = json(await kato(...TRAIN, '--max-docs', '10', '--resume', '--data-dir', join(root, 'trainer'), '--server', url));
    expect(resumed.docs).toBe(10);
    expect(resumed.session.docs).toBe(2);
  });

  it('trains a KATO server through KATO routes only, saying exactly-once cannot be guaranteed', async () => {
    const embedded = json(await kato(...TRAIN, '--max-docs', '3', '--data-dir', join(root, 'embedded-k'), '--run', 'k'));
    const finished = await kato(...TRAIN, '--max-docs', '3', '--data-dir', join(root, 'mirror'), '--run', 'k', '--server', url, '--protocol', 'kato');
    expect(finished.stderr).toMatch(/exactly-once cannot be guaranteed/);
    const viaKato = json(finished);
    expect(viaKato.digest).toBe(embedded.digest);
    // The trainer's data directory keeps the run's ledger and mirror; inspecting it agrees.
    expect(json(await kato('inspect', '--json', '--data-dir', join(root, 'mirror'), '--run', 'k')).digest).toBe(embedded.digest);

    // The server learned what the mirror says: same names and frequencies through KATO's GET /pattern.
    const mirror = localKnowledgeBase(openStore(join(root, 'mirror')), MIRROR_SERVICE_NAME);
    const client = new KatoClient({ baseUrl: url, logger: { info: () => undefined, warn: () => undefined, debug: () => undefined } });
    try {
      for (const level of [0, 1]) {
        const expected = new Map<string, number>();
        for await (const { name, frequency } of mirror.patternCounts(`k/node${level}`)) expected.set(name, frequency);
        expect(expected.size).toBeGreaterThan(0);
        const served = await client.patterns(`k/node${level}`, [...expected.keys()]);
        expect(new Map([...served].map(([name, view]) => [name, view.frequency]))).toEqual(expected);
      }
    } finally {
      await client.close();
      await mirror.close();
    }
  });

  it('learns each pattern once through KATO routes when the trainer keeps its mirror in the server data directory', async () => {
    const embedded = json(await kato(...TRAIN, '--max-docs', '3', '--data-dir', join(root, 'embedded-shared'), '--run', 'shared'));
    const viaKato = json(
      await kato(...TRAIN, '--max-docs', '3', '--data-dir', join(root, 'server'), '--run', 'shared', '--server', url, '--protocol', 'kato'),
    );
    expect(viaKato.digest).toBe(embedded.digest);
    expect(viaKato.levels.map((l: { dedup: number }) => l.dedup)).toEqual(embedded.levels.map((l: { dedup: number }) => l.dedup));
    const reference = localKnowledgeBase(openStore(join(root, 'embedded-shared')));
    const client = new KatoClient({ baseUrl: url, logger: { info: () => undefined, warn: () => undefined, debug: () => undefined } });
    try {
      const expected = new Map<string, number>();
      for await (const { name, frequency } of reference.patternCounts('shared/node0')) expected.set(name, frequency);
      const served = await client.patterns('shared/node0', [...expected.keys()]);
      expect(new Map([...served].map(([name, view]) => [name, view.frequency]))).toEqual(expected);
    } finally {
      await client.close();
      await reference.close();
    }
  });

  it("refuses to record a server run under the name of a local run of the same data directory, and keeps the local run's manifest", async () => {
    const dir = join(root, 'both');
    const local = json(await kato(...TRAIN, '--max-docs', '2', '--data-dir', dir, '--run', 'same'));
    const clash = await kato(...TRAIN, '--max-docs', '3', '--data-dir', dir, '--run', 'same', '--server', url);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toMatch(/already records run 'same' of the local knowledge base; this command trains server http/);
    const manifest = JSON.parse(readFileSync(join(dir, 'runs', 'same', 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ knowledgeBase: 'local', docs: 2, digest: local.digest });
  });

  it('refuses --protocol without --server, and a --server that is not a URL', async () => {
    const alone = await kato('train', '--protocol', 'kato', '--data-dir', join(root, 'x'));
    expect(alone.code).toBe(1);
    expect(alone.stderr).toMatch(/--protocol needs --server/);
    const bad = await kato('train', '--server', 'localhost:8000', '--data-dir', join(root, 'x'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--server must be an http\(s\) URL/);
    const unknown = await kato('train', '--server', url, '--protocol', 'grpc', '--data-dir', join(root, 'x'));
    expect(unknown.stderr).toMatch(/--protocol must be native or kato/);
  });
});

describe('kato train --server against a server that never answers', () => {
  it('says at once which server it waits for and for how long, and stops waiting on SIGINT with exit 130', async () => {
    const child = spawn(process.execPath, [CLI, 'train', '--progress', 'none', '--server', 'http://127.0.0.1:1', '--data-dir', join(root, 'unreachable')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const started = Date.now();
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (stderr.includes('\n')) {
          clearInterval(poll);
          resolve();
        }
      }, 50);
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(stderr).toBe('kato train: waiting up to 60 s for the kato server at http://127.0.0.1:1 (connection refused; Ctrl+C to stop)\n');
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted while waiting for http:\/\/127\.0\.0\.1:1 to answer \/health \(last: connection refused\)/);
    expect(existsSync(join(root, 'unreachable', 'runs', 'default'))).toBe(false);
  });

  it('says how long it waits in --help', async () => {
    const help = await kato('train', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/With --server, a server that is not answering \(not started yet, or restarting\) is waited for\s+up to 60 s/);
  });
});

describe('kato inspect and generate --server against a server refusing connections', () => {
  it('fail at once with exit 1, naming the server', async () => {
    for (const args of [
      ['inspect', '--server', 'http://127.0.0.1:1'],
      ['generate', 'the jury', '--server', 'http://127.0.0.1:1', '--data-dir', join(root, 'no-ledger')],
    ]) {
      const started = Date.now();
      const out = await kato(...args);
      expect(Date.now() - started, args[0]).toBeLessThan(10_000);
      expect(out.code, args[0]).toBe(1);
      expect(out.stdout, args[0]).toBe('');
      expect(out.stderr, args[0]).toBe('kato: cannot reach kato server at http://127.0.0.1:1: connection refused\n');
      const help = await kato(args[0], '--help');
      expect(help.stdout, args[0]).toMatch(/With --server, a server refusing connections fails the command at once/);
    }
  });
});
