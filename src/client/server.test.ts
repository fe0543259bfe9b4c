import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../server/app.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { KatoClient } from './kato.js';

/** The client against the real kato-ts server, in process on an ephemeral port. */
let dir: string;
let store: Store;
let app: FastifyInstance;
let client: KatoClient;
const warnings: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kato-client-server-'));
  store = openStore(dir);
  app = await buildServer({ store, logLevel: false });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  client = new KatoClient({ baseUrl: url, logger: { info: () => undefined, debug: () => undefined, warn: (_f, m) => warnings.push(m) } });
});

afterAll(async () => {
  await client.close();
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('client against the kato-ts server', () => {
  it('observes, learns and predicts through a session whose shadow follows the server', async () => {
    const session = await client.createSession({ nodeId: 'client-node', config: { recall_threshold: 0.1, max_pattern_length: 0 } });
    await session.observeSequence({ observations: [{ strings: ['hello'] }, { strings: ['world', 'big'] }, { strings: ['again'] }], learn_at_end: true });
    expect(session.stm).toEqual([]);
    await session.observe({ strings: ['hello'] });
    await session.observe({ strings: ['world', 'big'] });
    expect(session.stm).toEqual((await session.getStm()).stm);
    const predictions = await session.predictions();
    expect(predictions.predictions.length).toBeGreaterThan(0);
    expect(predictions.predictions[0].future).toEqual([['again']]);
    expect((await session.getConfig()).config.recall_threshold).toBe(0.1);
    const learned = await session.learn();
    expect(learned.pattern_name).toMatch(/^PTRN\|[0-9a-f]{40}$/);
    const name = learned.pattern_name;
    expect(await client.pattern('client-node', name)).toMatchObject({ name, frequency: 1 });
    expect((await session.cognitionData()).cognition_data.short_term_memory).toEqual([]);
    expect((await session.perceptData()).percept_data.strings).toEqual(['big', 'world']);
  });

  it('recreates a session the server lost, with its config and STM, and carries on', async () => {
    const session = await client.createSession({ nodeId: 'lost-node', config: { max_pattern_length: 3, stm_mode: 'ROLLING' } });
    await session.observe({ strings: ['a'] });
    await session.observe({ strings: ['c', 'b'] });
    await session.updateConfig({ recall_threshold: 0.4 });
    const old = session.id;
    await store.deleteSession(old);
    const reply = await session.observe({ strings: ['d'] });
    expect(session.id).not.toBe(old);
    expect(reply.auto_learned_pattern).toMatch(/^PTRN\|/);
    expect(session.stm).toEqual([['b', 'c'], ['d']]);
    expect((await session.getStm()).stm).toEqual([['b', 'c'], ['d']]);
    expect((await session.getConfig()).config).toMatchObject({ max_pattern_length: 3, stm_mode: 'ROLLING', recall_threshold: 0.4 });
    expect(client.counters.recoveries).toBe(1);
    expect(warnings).toContain('session was gone on the server; recreated it with its config and STM and carried on');
  });

  it('answers every node-scoped, health and monitoring route', async () => {
    expect((await client.health()).status).toBe('healthy');
    expect((await client.root()).service).toBe('KATO API');
    expect((await client.status()).base_processor_id).toBe('kato');
    expect(await client.sessionCount()).toBeGreaterThan(0);
    expect(await client.metrics()).toBeTruthy();
    expect((await client.stats(1)).time_series).toBeTruthy();
    expect((await client.symbolStats('client-node')).symbols.hello.frequency).toBeGreaterThan(0);
    expect((await client.symbolAffinities('client-node')).affinities).toEqual({});
    expect((await client.symbolAffinity('client-node', 'hello')).affinity).toEqual({});
    expect((await client.nodePerceptData('client-node')).warning).toMatch(/deprecated/);
    expect((await client.nodeCognitionData('client-node')).cognition_data.predictions).toEqual([]);
    for (const call of [client.concurrency(), client.cacheStats(), client.invalidateCache(), client.distributedStmStats(), client.connectionPools()]) {
      expect(await call).toHaveProperty('timestamp');
    }
    expect(await client.sessionInfo('session-missing')).toBeNull();
    expect((await client.sessionExists('session-missing')).exists).toBe(false);
  });

  it('extends, finalizes and closes a session', async () => {
    const session = await client.createSession({ nodeId: 'client-node' });
    expect((await session.extend(120)).ttl_seconds).toBe(120);
    expect((await session.finalizeTraining()).status).toBe('completed');
    expect((await session.info()).node_id).toBe('client-node');
    expect((await session.close()).status).toBe('deleted');
    expect((await session.exists()).exists).toBe(false);
  });
});

describe('client against a kato-ts server that requires an API key', () => {
  it('sends the key given as an option or in KATO_API_KEY, and is refused without it', async () => {
    const keyedDir = mkdtempSync(join(tmpdir(), 'kato-client-key-'));
    const keyedStore = openStore(keyedDir);
    const keyed = await buildServer({ store: keyedStore, logLevel: false, apiKeys: ['sekret'] });
    const url = await keyed.listen({ port: 0, host: '127.0.0.1' });
    const quiet = { info: () => undefined, debug: () => undefined, warn: () => undefined };
    const withOption = new KatoClient({ baseUrl: url, logger: quiet, apiKey: 'sekret' });
    const previous = process.env.KATO_API_KEY;
    process.env.KATO_API_KEY = 'sekret';
    const fromEnv = new KatoClient({ baseUrl: url, logger: quiet });
    delete process.env.KATO_API_KEY;
    const without = new KatoClient({ baseUrl: url, logger: quiet });
    if (previous !== undefined) process.env.KATO_API_KEY = previous;
    try {
      expect(await withOption.sessionCount()).toBe(0);
      expect(await fromEnv.sessionCount()).toBe(0);
      await expect(without.sessionCount()).rejects.toThrow(/401/);
    } finally {
      await Promise.all([withOption.close(), fromEnv.close(), without.close()]);
      await keyed.close();
      await keyedStore.close();
      rmSync(keyedDir, { recursive: true, force: true });
    }
  });
});
