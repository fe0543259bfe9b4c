import { afterEach, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from './helpers.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const isNumericTree = (value: unknown): boolean =>
  typeof value === 'number' || (value !== null && typeof value === 'object' && Object.values(value).every(isNumericTree));

describe('service routes (spec §3.6, §13.8–9)', () => {
  it('GET / describes the service', async () => {
    t = await testApp();
    const body = (await t.get('/')).json();
    expect(body).toMatchObject({ service: 'KATO API', version: '3.10.1', docs: '/docs', health: '/health', status: 'running', session_support: true });
    expect(body.uptime_seconds).toBeGreaterThan(0);
  });

  it('GET /health is healthy with the documented fields', async () => {
    t = await testApp();
    await t.session('n');
    const body = (await t.get('/health')).json();
    expect(body).toMatchObject({ status: 'healthy', processor_status: 'healthy', service_name: 'kato', issues: [], active_sessions: 1 });
    expect(body.uptime_seconds).toBeGreaterThan(0);
    expect(body.timestamp).toMatch(/Z$/);
  });

  it('GET /status names the base processor and lists served nodes', async () => {
    t = await testApp({ serviceName: 'kato' });
    const id = await t.session('stat');
    await t.observe(id, ['a']);
    const body = (await t.get('/status')).json();
    expect(body).toMatchObject({ status: 'healthy', base_processor_id: 'kato', version: '3.10.1' });
    expect(body.uptime_seconds).toBeGreaterThan(0);
    expect(body.processors.processors.map((p: { node_id: string }) => p.node_id)).toEqual(['stat']);
  });

  it('GET /metrics counts requests, with numeric leaves in every section', async () => {
    t = await testApp();
    const before = (await t.get('/metrics')).json();
    for (let i = 0; i < 5; i++) await t.get('/health');
    const after = (await t.get('/metrics')).json();
    expect(after.performance.total_requests).toBeGreaterThan(before.performance.total_requests);
    expect(after.performance.average_response_time).toBeGreaterThan(0);
    for (const section of ['sessions', 'performance', 'resources', 'databases', 'rates', 'processor_manager']) {
      expect(isNumericTree(after[section])).toBe(true);
    }
    expect(after.processor_manager).toHaveProperty('total_processors');
    expect(after.processor_manager).toHaveProperty('processors');
  });

  it('GET /stats has the default window and the listed time series', async () => {
    t = await testApp();
    const body = (await t.get('/stats')).json();
    expect(body.time_range_minutes).toBe(10);
    for (const key of ['kato_cpu_usage_percent', 'kato_memory_usage_percent', 'kato_requests_total', 'kato_request_duration_seconds']) {
      expect(Array.isArray(body.time_series[key])).toBe(true);
    }
    expect(Object.keys(body.summary)).toEqual(['sessions', 'performance', 'resources', 'databases']);
    expect((await t.get('/stats?minutes=5')).json().time_range_minutes).toBe(5);
  });

  it('GET /metrics/{name} answers statistics or 404 with "No data available"', async () => {
    t = await testApp();
    const missing = await t.get('/metrics/response_time');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().detail).toContain('No data available');
    await t.get('/health');
    const series = (await t.get('/metrics/kato_request_duration_seconds?minutes=10')).json();
    expect(series.metric_name).toBe('kato_request_duration_seconds');
    expect(series.statistics.count).toBeGreaterThan(0);
    expect(series.data_points[0]).toHaveProperty('labels');
  });

  it('serves Prometheus text at /metrics/prometheus and on /metrics for Accept: text/plain', async () => {
    t = await testApp();
    const id = await t.session('prom');
    await t.observe(id, ['a'], ['b']);
    await t.post(`/sessions/${id}/learn`);
    for (const res of [await t.get('/metrics/prometheus'), await t.get('/metrics', { accept: 'text/plain;version=0.0.4' })]) {
      expect(res.headers['content-type']).toContain('text/plain');
      expect(res.body).toContain('kato_http_requests_total{method="POST",route="/sessions/:session_id/observe",status="200"} 2');
      expect(res.body).toContain('kato_http_request_duration_seconds_bucket');
      expect(res.body).toContain('kato_active_sessions 1');
      expect(res.body).toContain('kato_node_patterns{kb_id="prom_kato"} 1');
    }
  });

  it('answers the diagnostics routes with a timestamp', async () => {
    t = await testApp();
    for (const path of ['/concurrency', '/cache/stats', '/distributed-stm/stats', '/connection-pools']) {
      expect(typeof (await t.get(path)).json().timestamp).toBe('number');
    }
    expect((await t.post('/cache/invalidate')).statusCode).toBe(200);
  });

  it('serves the deprecated node-level percept and cognition replies with a warning', async () => {
    t = await testApp();
    const percept = (await t.get('/percept-data', { 'x-test-id': 'dep' })).json();
    expect(percept).toMatchObject({ percept_data: {}, node_id: 'test_dep_kato' });
    expect(percept.warning).toContain('deprecated');
    expect((await t.get('/cognition-data')).json()).toMatchObject({ cognition_data: { predictions: [], short_term_memory: [] }, node_id: 'default_node_kato' });
  });
});

describe('HTTP edges (spec §2.3)', () => {
  it('404s unknown routes (no root-level KATO operations) and 405s wrong methods', async () => {
    t = await testApp();
    for (const path of ['/gene/INVALID_GENE', '/observe', '/learn', '/predictions']) {
      const res = await t.get(path);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ detail: 'Not Found' });
    }
    const wrong = await t.app.inject({ method: 'PUT', url: '/sessions' });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.json()).toEqual({ detail: 'Method Not Allowed' });
    expect(wrong.headers.allow).toContain('POST');
  });

  it('answers 413 for a body over the limit, naming the limit', async () => {
    t = await testApp({ bodyLimitBytes: 2048 });
    const id = await t.session('n');
    const res = await t.post(`/sessions/${id}/observe`, { strings: ['x'.repeat(4096)] });
    expect(res.statusCode).toBe(413);
    expect(res.json().detail).toContain('2048');
    expect((await t.get(`/sessions/${id}/stm`)).json().length).toBe(0);
  });

  it('refuses a non-JSON content type like FastAPI (422)', async () => {
    t = await testApp();
    const res = await t.app.inject({ method: 'POST', url: '/sessions', headers: { 'content-type': 'text/plain' }, payload: 'node_id=n' });
    expect(res.statusCode).toBe(422);
    expect(res.json().detail[0].type).toBe('model_attributes_type');
  });

  it('allows any origin with credentials (CORS) and answers preflights', async () => {
    t = await testApp();
    const simple = await t.get('/health', { origin: 'http://example.test' });
    expect(simple.headers['access-control-allow-origin']).toBe('http://example.test');
    expect(simple.headers['access-control-allow-credentials']).toBe('true');
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/sessions',
      headers: { origin: 'http://example.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.statusCode).toBe(200);
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
  });

  it('requires an API key when configured, except on /health', async () => {
    t = await testApp({ apiKeys: ['secret-1', 'secret-2'] });
    expect((await t.get('/health')).statusCode).toBe(200);
    const denied = await t.post('/sessions', { node_id: 'n' });
    expect(denied.statusCode).toBe(401);
    expect(denied.json().detail).toContain('X-API-Key');
    expect((await t.post('/sessions', { node_id: 'n' }, { 'x-api-key': 'wrong' })).statusCode).toBe(401);
    expect((await t.post('/sessions', { node_id: 'n' }, { 'x-api-key': 'secret-2' })).statusCode).toBe(200);
    expect((await t.post('/sessions', { node_id: 'n' }, { authorization: 'Bearer secret-1' })).statusCode).toBe(200);
  });

  it('serves OpenAPI docs at /docs and /openapi.json', async () => {
    t = await testApp();
    expect((await t.get('/docs')).statusCode).toBeLessThan(400);
    const spec = (await t.get('/openapi.json')).json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/sessions', '/sessions/{session_id}/observe', '/pattern/{pattern_id}']));
    expect(spec.paths['/sessions'].post.requestBody.content['application/json'].schema.required).toEqual(['node_id']);
  });
});
