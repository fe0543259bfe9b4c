import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brownSource } from '../../src/datasets/index.js';
import { generate, generator } from '../../src/generation/generate.js';
import { localGenerationKb } from '../../src/generation/local-kb.js';
import { MIRROR_SERVICE_NAME } from '../../src/training/remote-kato.js';
import { RemoteRunError, remoteGenerationKb, remoteRunShape, type RemoteGenerationKb } from '../../src/generation/remote-kb.js';
import { runShape } from '../../src/generation/shape.js';
import type { HierarchyShape } from '../../src/generation/types.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { normalize, tokenize, detokenize } from '../../src/text/index.js';
import { katoProtocolKnowledgeBase } from '../../src/training/remote-kato.js';
import { runTraining } from '../../src/training/session.js';

const DOCS = 3;
const root = mkdtempSync(join(tmpdir(), 'kato-generation-remote-'));
let server: RunningServer;
let serverStore: Store;
let mirror: Store;
let remote: RemoteGenerationKb;
let shape: HierarchyShape;
const documents: string[][] = [];
const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined };

beforeAll(async () => {
  serverStore = openStore(join(root, 'server'));
  server = await startServer({ store: serverStore, port: 0, host: '127.0.0.1', logLevel: false });
  // A run trained the way a stock KATO server is trained: sessions on <run>/node<l>, ledger kept locally.
  const trainer = katoProtocolKnowledgeBase({ baseUrl: server.url, logger: quiet, mirror: openStore(join(root, 'mirror')) });
  await runTraining({ kb: trainer, dataDir: join(root, 'mirror'), run: 'k', resume: false, reset: false, maxDocs: DOCS, workers: 0, katoVersion: 'test' });
  await trainer.close();
  mirror = openStore(join(root, 'mirror'), { readonly: true });
  shape = runShape('k', await mirror.getRun('k'), []);
  remote = remoteGenerationKb({ baseUrl: server.url, run: 'k', logger: quiet });
  for await (const record of brownSource().open()) {
    documents.push(tokenize(normalize(shape.normalizer, record.text)));
    if (documents.length === DOCS) break;
  }
}, 120_000);

afterAll(async () => {
  await remote?.close();
  await server?.close();
  await serverStore?.close();
  await mirror?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('generation through a KATO server', () => {
  it('reads the shape of a run trained with the KATO protocol from its local ledger', async () => {
    const ledger = { dataDir: join(root, 'mirror'), record: await mirror.getRun('k'), knownRuns: [] };
    expect(await remoteRunShape(remote, 'k', ledger)).toEqual(shape);
  });

  it.each([
    [0, 211, 22],
    [1, 1003, 20],
    [2, 1777, 25],
  ])("generates from the server exactly what embedded generation gives (document %i, offset %i, %i tokens)", async (d, offset, length) => {
    const prompt = detokenize(documents[d].slice(offset, offset + length));
    const options = { maxTokens: 24, ensemble: 10 };
    const served = await generate(generator(remote), shape, prompt, options);
    const embedded = await generate(generator(localGenerationKb(mirror, 'k', MIRROR_SERVICE_NAME)), shape, prompt, options);
    expect(served).toEqual(embedded);
    expect(served.tokens).toEqual(documents[d].slice(offset + length, offset + length + 24));
  });

  it("reads a natively trained run's shape from the server's ledger", async () => {
    await remote.training.createRun('native', 'h', { levels: 1, chunks: [8], normalizer: { name: 'none' } });
    expect(await remoteRunShape(remote, 'native', null)).toMatchObject({ levels: 1, chunks: [8] });
  });

  it('asks for the data directory when the run has no ledger', async () => {
    await expect(remoteRunShape(remote, 'k', null)).rejects.toThrow(RemoteRunError);
    await expect(remoteRunShape(remote, 'k', null)).rejects.toThrow(/give the --data-dir the run was trained with/);
  });
});
