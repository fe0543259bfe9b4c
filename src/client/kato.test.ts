import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KatoClient } from './kato.js';

/** Records every request and answers with a body chosen by path, as a KATO server would shape it. */
let server: Server;
let client: KatoClient;
const seen: { method: string; url: string; key: string | undefined; body: string }[] = [];

function replyFor(method: string, path: string): [number, unknown, string] {
  if (path === '/metrics') return [200, '# HELP kato_requests_total Requests\nkato_requests_total 3\n', 'text/plain; version=0.0.4'];
  if (path.startsWith('/pattern/PTRN%7Cmissing') || path.startsWith('/pattern/missing')) {
    return [200, { pattern: { status: 'error', message: 'Pattern missing not found' }, node_id: 'n_kato' }, 'application/json'];
  }
  if (path.startsWith('/pattern/')) {
    const name = decodeURIComponent(path.slice('/pattern/'.length));
    return [200, { pattern: { status: 'okay', pattern: { name: `PTRN|${name.replace('PTRN|', '')}`, pattern_data: [['a'], ['b']], length: 2, frequency: 3 } }, node_id: 'n_kato' }, 'application/json'];
  }
  if (method === 'POST' && path === '/sessions') return [200, { session_id: 's-new', node_id: 'n', session_config: { sort_symbols: true } }, 'application/json'];
  if (path === '/sessions/count') return [200, { active_session_count: 4 }, 'application/json'];
  if (method === 'GET' && path === '/sessions/gone') return [404, { detail: 'Session gone not found or expired' }, 'application/json'];
  if (method === 'DELETE' && path === '/sessions/gone') return [404, { error: { code: 'SESSION_NOT_FOUND' } }, 'application/json'];
  return [200, { route: `${method} ${path}` }, 'application/json'];
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, key: req.headers['idempotency-key'] as string | undefined, body });
      const path = req.url!.split('?')[0];
      const [status, reply, type] = replyFor(req.method!, path);
      res.writeHead(status, { 'content-type': type });
      res.end(typeof reply === 'string' ? reply : JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined };
  client = new KatoClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, logger: quiet });
});

afterAll(async () => {
  await client.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('KATO client routes', () => {
  it('maps every node-scoped, health and monitoring method to its KATO route', async () => {
    seen.length = 0;
    await client.root();
    await client.health();
    await client.status();
    await client.stats(5);
    await client.metricHistory('kato_requests_total', 3);
    await client.concurrency();
    await client.cacheStats();
    await client.invalidateCache('s1');
    await client.distributedStmStats();
    await client.connectionPools();
    await client.symbolAffinities('n');
    await client.symbolAffinity('n', 'a b');
    await client.symbolStats('n');
    await client.nodePerceptData('n');
    await client.nodeCognitionData('n');
    await client.sessionExists('s1');
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /',
      'GET /health',
      'GET /status',
      'GET /stats?minutes=5',
      'GET /metrics/kato_requests_total?minutes=3',
      'GET /concurrency',
      'GET /cache/stats',
      'POST /cache/invalidate?session_id=s1',
      'GET /distributed-stm/stats',
      'GET /connection-pools',
      'GET /symbols/affinity?node_id=n',
      'GET /symbols/a%20b/affinity?node_id=n',
      'GET /symbols/stats?node_id=n',
      'GET /percept-data?node_id=n',
      'GET /cognition-data?node_id=n',
      'GET /sessions/s1/exists',
    ]);
    expect(seen.find((r) => r.method === 'POST')!.key).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reads Prometheus text from /metrics as text', async () => {
    expect(await client.metrics()).toContain('kato_requests_total 3');
  });

  it('returns a pattern in either name form, and null for a missing one', async () => {
    const name = 'a'.repeat(40);
    expect(await client.pattern('n', `PTRN|${name}`)).toMatchObject({ name: `PTRN|${name}`, frequency: 3 });
    expect(await client.pattern('n', 'missing')).toBeNull();
    const many = await client.patterns('n', [name, `PTRN|${'b'.repeat(40)}`, 'missing']);
    expect([...many.keys()]).toEqual([name, 'b'.repeat(40)]);
    expect(seen.at(-1)!.url).toMatch(/\?node_id=n$/);
  });

  it('counts sessions, and reports unknown ones as null or not deleted', async () => {
    expect(await client.sessionCount()).toBe(4);
    expect(await client.sessionInfo('gone')).toBeNull();
    expect(await client.deleteSession('gone')).toBe(false);
  });

  it('creates a session with node, metadata and TTL, then applies its config in a second call', async () => {
    seen.length = 0;
    const session = await client.createSession({ nodeId: 'n', metadata: { who: 'test' }, ttlSeconds: 60, config: { recall_threshold: 0.3 } });
    expect(session.id).toBe('s-new');
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /sessions', 'POST /sessions/s-new/config']);
    expect(JSON.parse(seen[0].body)).toEqual({ node_id: 'n', metadata: { who: 'test' }, ttl_seconds: 60 });
    expect(JSON.parse(seen[1].body)).toEqual({ config: { recall_threshold: 0.3 } });
    expect(seen[0].key).not.toBe(seen[1].key);
  });
});
