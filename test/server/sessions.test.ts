import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { del, testApp, type TestApp } from './helpers.js';

let t: TestApp;
let now: number;
beforeEach(async () => {
  now = Date.UTC(2026, 0, 1, 12, 0, 0, 250);
  t = await testApp({ clock: () => now });
});
afterEach(async () => {
  await t.close();
});

describe('POST /sessions', () => {
  it('creates a session with the full SessionResponse', async () => {
    const res = await t.post('/sessions', { node_id: 'test_node_1a2b', metadata: { user: 'u', n: 1.5 }, ttl_seconds: 120 });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.session_id).toMatch(/^session-[0-9a-f]{32}-\d{13}$/);
    expect(body).toMatchObject({
      node_id: 'test_node_1a2b',
      created_at: '2026-01-01T12:00:00.250000Z',
      expires_at: '2026-01-01T12:02:00.250000Z',
      ttl_seconds: 120,
      metadata: { user: 'u', n: 1.5 },
    });
    expect(body.session_config).toMatchObject({ max_pattern_length: 0, persistence: 5, recall_threshold: 0.1, stm_mode: 'CLEAR' });
    expect(res.body).toContain('"recall_threshold":0.1');
    expect(res.body).toContain('"length_max_ratio":2.0');
  });

  it('uses the server TTL for none or 0 and applies a valid initial config', async () => {
    const res = await t.post('/sessions', { node_id: 'n', ttl_seconds: 0, config: { max_pattern_length: 3, stm_mode: 'ROLLING' } });
    expect(res.json().ttl_seconds).toBe(3600);
    expect(res.json().session_config).toMatchObject({ max_pattern_length: 3, stm_mode: 'ROLLING' });
  });

  it('drops an invalid initial config silently, still 200', async () => {
    const res = await t.post('/sessions', { node_id: 'n', config: { max_pattern_length: 3, persistence: 0 } });
    expect(res.statusCode).toBe(200);
    expect(res.json().session_config).toMatchObject({ max_pattern_length: 0, persistence: 5 });
  });

  it.each([
    [{}, ['body', 'node_id'], 'missing'],
    [{ node_id: null }, ['body', 'node_id'], 'string_type'],
    [{ node_id: 5 }, ['body', 'node_id'], 'string_type'],
    [{ node_id: 'n', ttl_seconds: 'soon' }, ['body', 'ttl_seconds'], 'int_type'],
    [{ node_id: 'n', ttl_seconds: 1.5 }, ['body', 'ttl_seconds'], 'int_from_float'],
    [{ node_id: 'n', ttl_seconds: -5 }, ['body', 'ttl_seconds'], 'greater_than_equal'],
    [{ node_id: 'n', metadata: [1] }, ['body', 'metadata'], 'dict_type'],
  ])('answers 422 naming the field for %j', async (body, loc, type) => {
    const res = await t.post('/sessions', body);
    expect(res.statusCode).toBe(422);
    expect(res.json().detail[0]).toMatchObject({ loc, type });
    expect(typeof res.json().detail[0].msg).toBe('string');
  });

  it('answers 422 for malformed JSON and for a missing body', async () => {
    const bad = await t.post('/sessions', '{"node_id": ');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().detail[0]).toMatchObject({ type: 'json_invalid', msg: 'JSON decode error' });
    const missing = await t.app.inject({ method: 'POST', url: '/sessions' });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().detail[0]).toMatchObject({ type: 'missing', loc: ['body'] });
  });
});

describe('session lifetime (spec §5.3)', () => {
  it('slides the expiry on every access and expires an idle session', async () => {
    const id = await t.session('n', { ttl_seconds: 5 });
    for (let i = 0; i < 6; i++) {
      now += 2000;
      expect((await t.post(`/sessions/${id}/observe`, { strings: ['keepalive'] })).statusCode).toBe(200);
    }
    now += 6000;
    expect((await t.get(`/sessions/${id}/stm`)).statusCode).toBe(404);
    expect((await t.get(`/sessions/${id}/exists`)).json()).toEqual({ exists: false, expired: false, session_id: id });
  });

  it('reports an expired session through exists without extending a live one', async () => {
    const id = await t.session('n', { ttl_seconds: 2 });
    now += 1000;
    expect((await t.get(`/sessions/${id}/exists`)).json()).toEqual({ exists: true, expired: false, session_id: id });
    now += 1500;
    expect((await t.get(`/sessions/${id}/exists`)).json()).toEqual({ exists: false, expired: true, session_id: id });
    expect((await t.get(`/sessions/${id}/exists`)).json()).toEqual({ exists: false, expired: false, session_id: id });
  });

  it('extend keeps a short session alive past its TTL', async () => {
    const id = await t.session('n', { ttl_seconds: 5 });
    now += 2000;
    const res = await t.post(`/sessions/${id}/extend?ttl_seconds=60`);
    expect(res.json()).toEqual({ status: 'extended', session_id: id, ttl_seconds: 60 });
    now += 10_000;
    expect((await t.get(`/sessions/${id}`)).statusCode).toBe(200);
    expect((await t.get(`/sessions/${id}`)).json().ttl_seconds).toBe(50);
  });

  it('extend defaults to 3600 s and validates its query', async () => {
    const id = await t.session('n');
    expect((await t.post(`/sessions/${id}/extend`)).json().ttl_seconds).toBe(3600);
    const bad = await t.post(`/sessions/${id}/extend?ttl_seconds=soon`);
    expect(bad.statusCode).toBe(422);
    expect(bad.json().detail[0]).toMatchObject({ loc: ['query', 'ttl_seconds'], type: 'int_parsing' });
  });

  it('GET /sessions/{id} reports the remaining whole seconds and 404s with detail when missing', async () => {
    const id = await t.session('n', { ttl_seconds: 100 });
    now += 30_500;
    expect((await t.get(`/sessions/${id}`)).json().ttl_seconds).toBe(100);
    const missing = await t.get('/sessions/session-nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ detail: 'Session session-nope not found or expired' });
  });
});

describe('session middleware (spec §2.2)', () => {
  const routes: [string, string, unknown][] = [
    ['POST', 'observe', { strings: [null] }],
    ['POST', 'observe-sequence', { observations: 'not_a_list' }],
    ['GET', 'stm', undefined],
    ['POST', 'learn', '{bad json'],
    ['GET', 'predictions', undefined],
    ['POST', 'clear-stm', undefined],
    ['POST', 'clear-all', undefined],
    ['GET', 'config', undefined],
    ['POST', 'config', { config: { persistence: 0 } }],
    ['POST', 'extend', undefined],
    ['GET', 'percept-data', undefined],
    ['GET', 'cognition-data', undefined],
    ['POST', 'finalize-training', undefined],
    ['GET', 'no-such-route', undefined],
  ];
  it.each(routes)('answers %s /sessions/{missing}/%s with 404 SESSION_NOT_FOUND before validating the body', async (method, route, body) => {
    const res = await t.app.inject({
      method: method as 'GET' | 'POST',
      url: `/sessions/missing-id/${route}`,
      headers: { 'content-type': 'application/json' },
      payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { code: 'SESSION_NOT_FOUND', message: 'Session missing-id not found or expired', session_id: 'missing-id' },
    });
  });

  it('sets X-Session-ID on validated routes and X-Trace-ID everywhere', async () => {
    const id = await t.session('n');
    const res = await t.get(`/sessions/${id}/stm`, { 'x-trace-id': 'trace-123' });
    expect(res.headers['x-session-id']).toBe(id);
    expect(res.headers['x-trace-id']).toBe('trace-123');
    expect((await t.get('/health')).headers['x-trace-id']).toMatch(/^kato-[0-9a-f]{32}$/);
  });

  it('makes the debug route /sessions/test/{x} unreachable, as KATO does', async () => {
    expect((await t.get('/sessions/test/abc')).json().error.code).toBe('SESSION_NOT_FOUND');
  });
});

describe('DELETE /sessions/{id} and GET /sessions/count', () => {
  it('deletes once, then 404s; the count drops by exactly the deletions', async () => {
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await t.session(`n${i}`));
    const before = (await t.get('/sessions/count')).json().active_session_count;
    expect(before).toBe(6);
    for (const id of ids.slice(0, 5)) expect((await del(t, `/sessions/${id}`)).json()).toEqual({ status: 'deleted', session_id: id });
    expect((await t.get('/sessions/count')).json()).toEqual({ active_session_count: before - 5 });
    const again = await del(t, `/sessions/${ids[0]}`);
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('SESSION_NOT_FOUND');
  });

  it("never touches the node's KB", async () => {
    const id = await t.session('shared');
    await t.observe(id, ['a'], ['b']);
    await t.post(`/sessions/${id}/learn`);
    await del(t, `/sessions/${id}`);
    const next = await t.session('shared');
    await t.observe(next, ['a'], ['b']);
    expect((await t.get(`/sessions/${next}/predictions`)).json().count).toBe(1);
  });
});

describe('session config routes (spec §3.3, §4)', () => {
  it('updates flat and wrapped config and reports the effective config', async () => {
    const id = await t.session('n');
    expect((await t.post(`/sessions/${id}/config`, { config: { max_pattern_length: 3, recall_threshold: 0.5 } })).json()).toEqual({
      status: 'okay',
      message: 'Configuration updated',
      session_id: id,
    });
    expect((await t.post(`/sessions/${id}/config`, { stm_mode: 'ROLLING', unknown_key: 1 })).statusCode).toBe(200);
    const config = (await t.get(`/sessions/${id}/config`)).json();
    expect(config.session_id).toBe(id);
    expect(config.config).toMatchObject({ max_pattern_length: 3, recall_threshold: 0.5, stm_mode: 'ROLLING' });
    expect(config.config).not.toHaveProperty('unknown_key');
  });

  it('answers 400 with every invalid field and changes nothing', async () => {
    const id = await t.session('n');
    const res = await t.post(`/sessions/${id}/config`, '{"config": {"recall_threshold": 1.1, "persistence": 5.0, "max_pattern_length": 2}}');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      detail: {
        error: 'Configuration validation failed',
        validation_errors: {
          recall_threshold: 'Must be a number between 0.0 and 1.0',
          persistence: 'Must be an integer between 1 and 100',
        },
      },
    });
    expect((await t.get(`/sessions/${id}/config`)).json().config.max_pattern_length).toBe(0);
  });

  it('turns an invalid STM mode into CLEAR and toggles sort_symbols with token matching', async () => {
    const id = await t.session('n');
    await t.post(`/sessions/${id}/config`, { stm_mode: 'SIDEWAYS', use_token_matching: false });
    expect((await t.get(`/sessions/${id}/config`)).json().config).toMatchObject({
      stm_mode: 'CLEAR',
      use_token_matching: false,
      sort_symbols: false,
    });
  });

  it('refuses a config body that is not an object', async () => {
    const id = await t.session('n');
    expect((await t.post(`/sessions/${id}/config`, [1, 2])).statusCode).toBe(422);
    expect((await t.post(`/sessions/${id}/config`, { config: 5 })).statusCode).toBe(400);
  });
});
