import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chunkEvents, patternName } from '../../engine/names.js';
import { buildServer } from '../app.js';
import { openStore } from '../../store/index.js';
import type { Store } from '../../store/types.js';
import { runDigest } from '../../training/digest.js';
import { localKnowledgeBase } from '../../training/knowledge-base.js';
import { remoteKnowledgeBase } from '../../training/remote-knowledge-base.js';
import { runKbId } from '../../training/nodes.js';
import { runTraining } from '../../training/session.js';

let dir: string;
let store: Store;
let app: FastifyInstance;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kato-training-routes-'));
  store = openStore(join(dir, 'server'));
  app = await buildServer({ store, logLevel: false });
});

afterEach(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: typeof body === 'string' ? body : JSON.stringify(body) });
}

const wireDoc = (key: string, seq: number, level0: string[][], level1: string[][] = []) => ({
  key,
  seq,
  tokens: level0.reduce((n, chunk) => n + chunk.length, 0),
  nodes: [
    { node: 'r/node0', items: level0.map((symbols) => ({ symbols })) },
    ...(level1.length ? [{ node: 'r/node1', items: level1.map((symbols) => ({ symbols })) }] : []),
  ],
});

async function createRun(run = 'r', configHash = 'h1') {
  return post('/training/runs', { run, configHash, config: { levels: 2 } });
}

describe('training routes', () => {
  it('creates a run once, returns it again for the same config hash, and refuses another hash', async () => {
    const created = await createRun();
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ created: true, run: { run: 'r', configHash: 'h1', docs: 0, watermark: null } });
    expect((await createRun()).json()).toMatchObject({ created: false, run: { run: 'r' } });
    const conflict = await createRun('r', 'h2');
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().detail).toMatch(/another config/);
    expect((await app.inject({ url: '/training/runs' })).json().runs.map((r: { run: string }) => r.run)).toEqual(['r']);
    expect((await app.inject({ url: '/training/runs/nope' })).statusCode).toBe(404);
    expect((await post('/training/runs', { run: '../etc', configHash: 'h', config: {} })).statusCode).toBe(400);
  });

  it('applies every level of a document with its ledger key once, computing names on the server', async () => {
    await createRun();
    const upper = `PTRN|${patternName(chunkEvents(['a', 'b']))}`;
    const first = await post('/training/runs/r/documents', {
      persistence: 5,
      watermark: { seq: 1, cursor: 'after-1' },
      documents: [wireDoc('k0', 0, [['a', 'b'], ['c', 'd']], [[upper, 'x']]), wireDoc('k1', 1, [['a', 'b']])],
    });
    expect(first.json()).toEqual({ results: ['applied', 'applied'], applied: 2, duplicates: 0 });
    const again = await post('/training/runs/r/documents', { documents: [wireDoc('k1', 1, [['a', 'b']]), wireDoc('k2', 2, [['e', 'f']])] });
    expect(again.json()).toEqual({ results: ['duplicate', 'applied'], applied: 1, duplicates: 1 });

    expect((await store.getPattern(runKbId('r', 0), patternName(chunkEvents(['a', 'b']))))!.frequency).toBe(2);
    expect((await store.getPattern(runKbId('r', 1), patternName(chunkEvents([upper, 'x']))))!.frequency).toBe(1);
    expect((await app.inject({ url: '/training/runs/r' })).json().run).toMatchObject({ docs: 3, tokens: 8, watermark: { seq: 1, cursor: 'after-1' } });
    expect((await app.inject({ url: '/training/runs/r/ledger' })).json()).toEqual({ watermark: { seq: 1, cursor: 'after-1' }, appliedAbove: [{ key: 'k2', seq: 2 }] });
    expect((await app.inject({ url: '/training/runs/r/nodes' })).json()).toEqual({ nodes: ['r/node0', 'r/node1'] });
  });

  it('ignores a name sent by the client', async () => {
    await createRun();
    const body = { documents: [{ key: 'k', seq: 0, tokens: 2, nodes: [{ node: 'r/node0', items: [{ events: [['a'], ['b']], name: 'f'.repeat(40) }] }] }] };
    expect((await post('/training/runs/r/documents', body)).statusCode).toBe(200);
    expect(await store.getPattern(runKbId('r', 0), 'f'.repeat(40))).toBeNull();
    expect((await store.getPattern(runKbId('r', 0), patternName([['a'], ['b']])))!.frequency).toBe(1);
  });

  it('refuses bad documents with a 422 naming the field, and changes nothing', async () => {
    await createRun();
    const foreign = await post('/training/runs/r/documents', { documents: [{ ...wireDoc('k', 0, [['a', 'b']]), nodes: [{ node: 'other/node0', items: [{ symbols: ['a', 'b'] }] }] }] });
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json().detail[0].loc).toEqual(['body', 'documents', 0, 'nodes', 0, 'node']);
    const single = await post('/training/runs/r/documents', { documents: [wireDoc('ok', 0, [['a', 'b']]), wireDoc('bad', 1, [['lonely']])] });
    expect(single.statusCode).toBe(422);
    expect(single.json().detail[0]).toMatchObject({ loc: ['body', 'documents', 1, 'nodes', 0, 'items', 0], msg: 'A pattern needs at least 2 symbols in total' });
    const malformed = await post('/training/runs/r/documents', '{"documents": [');
    expect(malformed.statusCode).toBe(422);
    expect(malformed.json().detail[0].type).toBe('json_invalid');
    const badSeq = await post('/training/runs/r/documents', { documents: [{ ...wireDoc('k', 0, [['a', 'b']]), seq: -1 }] });
    expect(badSeq.json().detail[0].loc).toEqual(['body', 'documents', 0, 'seq']);
    expect((await post('/training/runs/missing/documents', { documents: [] })).statusCode).toBe(404);
    expect((await store.summary(runKbId('r', 0))).patterns).toBe(0);
    expect((await store.getRun('r'))!.docs).toBe(0);
  });

  it('pages through a node and digests the run exactly as the embedded digest does', async () => {
    await createRun();
    const chunks = Array.from({ length: 25 }, (_, i) => [`t${i}`, 'u']);
    await post('/training/runs/r/documents', { documents: [wireDoc('k0', 0, chunks, [['p', 'q']]), wireDoc('k1', 1, chunks.slice(0, 3))] });
    const names: string[] = [];
    let after = '';
    for (;;) {
      const page = (await app.inject({ url: `/training/patterns?node=r/node0&limit=10&after=${after}` })).json();
      names.push(...page.patterns.map(([name]: [string, number]) => name));
      if (page.next === null) break;
      after = page.next;
    }
    expect(names).toEqual(chunks.map((c) => patternName(chunkEvents(c))).sort());
    expect((await app.inject({ url: '/training/patterns?node=r/node0&after=xyz' })).statusCode).toBe(422);

    const digest = (await app.inject({ url: '/training/runs/r/digest' })).json();
    const expected = await runDigest(localKnowledgeBase(store), 'r', 2);
    expect(digest.digest).toBe(expected.digest);
    expect(digest.levels).toEqual(expected.levels);
    expect((await app.inject({ url: '/training/nodes/summary?node=r/node0' })).json()).toEqual({ kbId: 'r/node0', patterns: 25, totalFrequency: 28 });
    const frequencies = await post('/training/nodes/frequencies', { node: 'r/node0', names: [names[0], 'f'.repeat(40)] });
    expect(Object.keys(frequencies.json().frequencies)).toEqual([names[0]]);
  });

  it('resets a run: ledger gone, nodes cleared', async () => {
    await createRun();
    await post('/training/runs/r/documents', { documents: [wireDoc('k0', 0, [['a', 'b']], [['c', 'd']])] });
    expect((await post('/training/runs/r/reset', {})).json()).toEqual({ status: 'reset', run: 'r' });
    expect(await store.getRun('r')).toBeNull();
    expect((await store.summary(runKbId('r', 0))).patterns).toBe(0);
    expect((await store.summary(runKbId('r', 1))).patterns).toBe(0);
  });
});

describe('idempotency keys', () => {
  async function session(): Promise<string> {
    return (await post('/sessions', { node_id: 'idem' })).json().session_id;
  }

  it('applies a keyed learn once and answers the resend from its record', async () => {
    const id = await session();
    const body = { observations: [{ strings: ['a'] }, { strings: ['b'] }], learn_at_end: true };
    const first = await post(`/sessions/${id}/observe-sequence`, body, { 'idempotency-key': 'learn-1' });
    const second = await post(`/sessions/${id}/observe-sequence`, body, { 'idempotency-key': 'learn-1' });
    expect(second.statusCode).toBe(200);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(second.body).toBe(first.body);
    const name = first.json().final_learned_pattern.slice('PTRN|'.length);
    const pattern = (await app.inject({ url: `/pattern/${name}?node_id=idem` })).json();
    expect(pattern.pattern.pattern.frequency).toBe(1);
  });

  it('applies concurrent resends of one key once', async () => {
    const id = await session();
    const body = { observations: [{ strings: ['x'] }, { strings: ['y'] }], learn_at_end: true };
    const replies = await Promise.all(Array.from({ length: 4 }, () => post(`/sessions/${id}/observe-sequence`, body, { 'idempotency-key': 'same' })));
    expect(replies.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(3);
    const name = replies[0].json().final_learned_pattern.slice('PTRN|'.length);
    expect((await app.inject({ url: `/pattern/${name}?node_id=idem` })).json().pattern.pattern.frequency).toBe(1);
  });

  it('refuses a key reused for another route, and records no failed write', async () => {
    const id = await session();
    const learnEmpty = await post(`/sessions/${id}/learn`, {}, { 'idempotency-key': 'k' });
    expect(learnEmpty.statusCode).toBe(400);
    const observed = await post(`/sessions/${id}/observe`, { strings: ['a'] }, { 'idempotency-key': 'k' });
    expect(observed.statusCode).toBe(200);
    const reused = await post(`/sessions/${id}/clear-stm`, {}, { 'idempotency-key': 'k' });
    expect(reused.statusCode).toBe(422);
    expect(reused.json().detail).toMatch(/already used for POST \/sessions\/:session_id\/observe/);
  });

  it('leaves writes without a key alone', async () => {
    const id = await session();
    await post(`/sessions/${id}/observe`, { strings: ['a'] });
    await post(`/sessions/${id}/observe`, { strings: ['a'] });
    expect((await app.inject({ url: `/sessions/${id}/stm` })).json().stm).toEqual([['a'], ['a']]);
  });
});

describe('remote knowledge base against the server', () => {
  it('trains a few Brown documents to the same digest as the embedded run', async () => {
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined };
    const common = { run: 'r', resume: false, reset: false, maxDocs: 6, workers: 0, batchTokens: 3_000, katoVersion: 'test' };
    const remote = remoteKnowledgeBase({ baseUrl: url, logger: quiet, maxBodyBytes: 64 * 1024 });
    const overHttp = await runTraining({ ...common, kb: remote, dataDir: join(dir, 'trainer') });
    const counters = { ...remote.counters };
    // The watermark travelled with the last slice of each batch: the run resumes after document 5.
    expect((await remote.ledgerState('r')).watermark?.seq).toBe(5);
    await remote.close();
    const local = localKnowledgeBase(openStore(join(dir, 'embedded')));
    const embedded = await runTraining({ ...common, kb: local, dataDir: join(dir, 'embedded') });
    await local.close();
    expect(overHttp.digest).toBe(embedded.digest);
    expect(overHttp.docs).toBe(6);
    expect(overHttp.tokens).toBe(embedded.tokens);
    // Small bodies: each batch went as several requests, each document whole.
    expect(counters.requests).toBeGreaterThan(10);
    expect(counters.retries).toBe(0);
  });
});
