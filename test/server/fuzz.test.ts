import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from './helpers.js';

// Hostile input for every route: random JSON, malformed text, odd numbers and strings, wrong
// content types, random paths and queries. Nothing may answer 5xx, and a refused request must
// leave the KB and the session exactly as they were.

let t: TestApp;
let sid: string;
const NODE = 'fuzz_node';
const KB = 'fuzz_node_kato';

beforeAll(async () => {
  t = await testApp();
  sid = await t.session(NODE, { config: { max_pattern_length: 0 } });
  await t.observe(sid, ['seed'], ['pattern'], ['here']);
  await t.post(`/sessions/${sid}/learn`);
  await t.post(`/sessions/${sid}/observe`, { strings: ['kept'], vectors: [[1, 2]], emotives: { joy: 1 }, metadata: { k: 1.5 } });
});
afterAll(async () => {
  await t.close();
});

/** Everything a request could change: the node's KB and the session's stored record. */
async function digest(): Promise<string> {
  const { store } = t;
  const patterns = [];
  for await (const p of store.allPatterns(KB)) patterns.push(p);
  const session = await store.getSession(sid);
  const sessions = await store.countSessions();
  return JSON.stringify({
    patterns,
    stats: [...(await store.allSymbolStats(KB))],
    totals: await store.totals(KB),
    affinity: [...(await store.affinities(KB))],
    vectors: [...(await store.vectors(KB))],
    deferred: [...(await store.deferredVectors(KB))],
    nodes: await store.listNodes(),
    record: session?.record,
    sessions,
  });
}

const hostileText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', '{', '[', '{"strings": [', 'null', 'true', '1e999', '-0', '"\\ud800"', '{"a":1,"a":2}', '{"__proto__": {"polluted": 1}}', '\u0000', 'NaN', '[[[[[[[[[[]]]]]]]]]]'),
);

const hostileJson = fc.oneof(
  fc.jsonValue(),
  fc.record({
    strings: fc.oneof(fc.array(fc.jsonValue()), fc.jsonValue()),
    vectors: fc.oneof(fc.array(fc.array(fc.oneof(fc.double(), fc.jsonValue()))), fc.jsonValue()),
    emotives: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue()),
    metadata: fc.jsonValue(),
  }, { requiredKeys: [] }),
  fc.record({ observations: fc.oneof(fc.array(fc.jsonValue()), fc.jsonValue()), learn_at_end: fc.jsonValue() }, { requiredKeys: [] }),
  fc.record({ node_id: fc.jsonValue(), ttl_seconds: fc.jsonValue(), config: fc.jsonValue(), metadata: fc.jsonValue() }, { requiredKeys: [] }),
  fc.record({ config: fc.dictionary(fc.constantFrom('recall_threshold', 'persistence', 'max_pattern_length', 'stm_mode', 'filter_pipeline', 'rank_sort_algo', 'sort_symbols', 'max_predictions'), fc.jsonValue()) }),
).map((value) => JSON.stringify(value) ?? 'null');

const body = fc.oneof(hostileText, hostileJson);
const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/vnd.api+json', '');
const segment = fc.string().map((s) => encodeURIComponent(s));
// Hostile query values; a valid small TTL would legitimately end the session under test.
const queryValue = fc.string().filter((s) => !/^\s*[+-]?\d+(\.0*)?\s*$/.test(s)).map((s) => encodeURIComponent(s));

const routes = fc.oneof(
  fc.constantFrom(
    'POST /sessions',
    `POST /sessions/${'SID'}/observe`,
    `POST /sessions/${'SID'}/observe-sequence`,
    `POST /sessions/${'SID'}/config`,
    `POST /sessions/${'SID'}/learn`,
    `POST /sessions/${'SID'}/extend`,
    `GET /sessions/${'SID'}/predictions`,
    `GET /sessions/${'SID'}/stm`,
    `GET /sessions/${'SID'}`,
    `GET /sessions/${'SID'}/exists`,
    'GET /sessions/count',
    'GET /pattern/SEG',
    'GET /symbols/SEG/affinity',
    'GET /symbols/affinity',
    'GET /symbols/stats',
    'GET /metrics/SEG',
    'GET /stats',
    'GET /health',
    'POST /sessions/SEG/observe',
    'DELETE /sessions/SEG',
    'PUT /sessions/SID/observe',
    'PATCH /SEG',
    'GET /SEG/SEG',
  ),
);

describe('hostile requests', () => {
  it('never answer 5xx and, when refused, change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(routes, body, contentType, segment, queryValue, fc.option(fc.string(), { nil: undefined }), async (route, payload, type, seg, query, testId) => {
        const [method, template] = route.split(' ');
        const path = template.replaceAll('SID', sid).replace('SEG', seg).replace('SEG', seg);
        const url = `${path}?ttl_seconds=${query}&minutes=${query}&node_id=${query}`;
        const headers: Record<string, string> = {};
        if (type) headers['content-type'] = type;
        if (testId !== undefined) headers['x-test-id'] = encodeURIComponent(testId);
        const before = await digest();
        const res = await t.app.inject({ method: method as 'GET', url, headers, payload: method === 'GET' ? undefined : payload });
        expect(res.statusCode, `${method} ${url} ${payload} → ${res.body}`).toBeLessThan(500);
        if (res.statusCode >= 400) expect(await digest(), `${method} ${url} ${payload}`).toBe(before);
      }),
      { numRuns: 400 },
    );
    expect((await t.get('/health')).json().status).toBe('healthy');
    expect((await t.get(`/sessions/${sid}/stm`)).statusCode).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('take any Unicode symbols through observe, learn, predictions and the pattern route unchanged', async () => {
    const symbol = fc.string({ unit: 'grapheme', maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(symbol, { minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 4 }), async (events) => {
        const id = await t.session('fuzz_unicode');
        for (const strings of events) expect((await t.post(`/sessions/${id}/observe`, { strings })).statusCode).toBe(200);
        const stm = (await t.get(`/sessions/${id}/stm`)).json().stm;
        const learned = await t.post(`/sessions/${id}/learn`);
        expect(learned.statusCode).toBe(200);
        const name = learned.json().pattern_name;
        const pattern = (await t.get(`/pattern/${encodeURIComponent(name)}?node_id=fuzz_unicode`)).json().pattern;
        expect(pattern.pattern.pattern_data).toEqual(stm);
        for (const strings of events.slice(0, 2)) await t.post(`/sessions/${id}/observe`, { strings });
        const predictions = await t.get(`/sessions/${id}/predictions`);
        expect(predictions.statusCode).toBe(200);
        expect(predictions.json().predictions.map((p: { name: string }) => p.name)).toContain(name.slice(5));
      }),
      { numRuns: 60 },
    );
  });

  it('refuse well-formed bodies of the wrong shape on every body route with 422 and no change', async () => {
    const wrong = fc.oneof(
      fc.record({ strings: fc.array(fc.oneof(fc.integer(), fc.constant(null), fc.boolean()), { minLength: 1 }) }),
      fc.record({ vectors: fc.oneof(fc.string(), fc.array(fc.string(), { minLength: 1 })) }),
      fc.record({ emotives: fc.oneof(fc.array(fc.integer()), fc.string(), fc.dictionary(fc.string(), fc.string(), { minKeys: 1 })) }),
      fc.record({ metadata: fc.oneof(fc.array(fc.integer()), fc.string(), fc.integer()) }),
    );
    await fc.assert(
      fc.asyncProperty(wrong, fc.constantFrom('observe', 'observe-sequence'), async (value, route) => {
        const payload = route === 'observe' ? value : { observations: [{ strings: ['ok'] }, value] };
        const before = await digest();
        const res = await t.post(`/sessions/${sid}/${route}`, payload);
        expect(res.statusCode).toBe(422);
        expect(Array.isArray(res.json().detail)).toBe(true);
        expect(await digest()).toBe(before);
      }),
      { numRuns: 200 },
    );
  });
});
