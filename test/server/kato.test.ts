import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from './helpers.js';

let t: TestApp;
beforeEach(async () => {
  t = await testApp();
});
afterEach(async () => {
  await t.close();
});

const name = (prefixed: string) => prefixed.replace('PTRN|', '');

describe('POST /sessions/{id}/observe (spec §3.4, §13.4–5)', () => {
  it('answers the ObservationResult with a generated unique id', async () => {
    const id = await t.session('n');
    const res = await t.post(`/sessions/${id}/observe`, { strings: ['b', 'a'], unique_id: 'mine' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ status: 'okay', session_id: id, processor_id: 'n', stm_length: 1, time: 1, auto_learned_pattern: null });
    expect(body.unique_id).toMatch(/^obs-[0-9a-f]{32}$/);
  });

  it.each(['{}', '{"strings": []}', '{"invalid_key": "value"}'])('accepts %s without changing the STM', async (body) => {
    const id = await t.session('n');
    const res = await t.post(`/sessions/${id}/observe`, body);
    expect(res.statusCode).toBe(200);
    expect(res.json().time).toBe(1);
    expect((await t.get(`/sessions/${id}/stm`)).json()).toEqual({ stm: [], session_id: id, length: 0 });
  });

  it.each([
    ['{"strings": [null]}', ['body', 'strings', 0]],
    ['{"strings": "abc"}', ['body', 'strings']],
    ['{"vectors": "not_array"}', ['body', 'vectors']],
    ['{"vectors": [[1, "x"]]}', ['body', 'vectors', 0, 1]],
    ['{"emotives": "not_dict"}', ['body', 'emotives']],
    ['{"emotives": {"joy": "high"}}', ['body', 'emotives', 'joy']],
    ['{"metadata": [1]}', ['body', 'metadata']],
    ['{"vectors": [[1e400]]}', ['body', 'vectors', 0, 0]],
    ['[1, 2]', ['body']],
  ])('refuses %s with 422 at %j and changes nothing', async (body, loc) => {
    const id = await t.session('n');
    await t.observe(id, ['kept']);
    const res = await t.post(`/sessions/${id}/observe`, body);
    expect(res.statusCode).toBe(422);
    expect(res.json().detail[0].loc).toEqual(loc);
    expect((await t.get(`/sessions/${id}/stm`)).json().stm).toEqual([['kept']]);
    expect((await t.get(`/sessions/${id}/cognition-data`)).json().cognition_data.time).toBe(1);
  });

  it('refuses malformed JSON with 422', async () => {
    const id = await t.session('n');
    const res = await t.post(`/sessions/${id}/observe`, '{"strings": ["a"');
    expect(res.statusCode).toBe(422);
    expect(res.json().detail[0].type).toBe('json_invalid');
  });

  it('refuses JSON nested deeper than 512 levels with 422, and accepts deep-but-sane metadata', async () => {
    const id = await t.session('n');
    const deep = (depth: number) => `{"strings": ["a"], "metadata": {"deep": ${'['.repeat(depth)}${']'.repeat(depth)}}}`;
    const refused = await t.post(`/sessions/${id}/observe`, deep(100_000));
    expect(refused.statusCode).toBe(422);
    expect(refused.json().detail[0].ctx.error).toContain('nesting deeper than 512');
    expect((await t.post(`/sessions/${id}/observe`, deep(400))).statusCode).toBe(200);
    expect((await t.get(`/sessions/${id}/percept-data`)).statusCode).toBe(200);
  });

  it('refuses vectors of different lengths with 400 VectorDimensionError', async () => {
    const id = await t.session('n');
    const res = await t.post(`/sessions/${id}/observe`, { vectors: [[1, 2], [1, 2, 3]] });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatchObject({ error: 'VectorDimensionError', expected_dimension: 2, actual_dimension: 3, vector_name: 'vectors[1]' });
  });

  it('produces VCTR symbols before strings', async () => {
    const id = await t.session('n');
    await t.post(`/sessions/${id}/observe`, { strings: ['z'], vectors: [[1, 2, 3]] });
    expect((await t.get(`/sessions/${id}/stm`)).json().stm).toEqual([['VCTR|fe5de4472f7e4d5c9cdd19cadebfa06fe3da8e43', 'z']]);
  });

  it('accepts a 1000-symbol observation as one event', async () => {
    const id = await t.session('n');
    const strings = Array.from({ length: 1000 }, (_, i) => `s${i}`);
    expect((await t.post(`/sessions/${id}/observe`, { strings })).statusCode).toBe(200);
    const stm = (await t.get(`/sessions/${id}/stm`)).json().stm;
    expect(stm).toHaveLength(1);
    expect(stm[0]).toHaveLength(1000);
  });

  it('lands all of 10 concurrent observations on one session', async () => {
    const id = await t.session('n');
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => t.post(`/sessions/${id}/observe`, { strings: [`c${i}`] })));
    expect(results.every((r) => r.statusCode === 200)).toBe(true);
    expect(results.map((r) => r.json().time).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await t.get(`/sessions/${id}/stm`)).json().length).toBe(10);
  });

  it('keeps STM per session on a shared node', async () => {
    const a = await t.session('shared');
    const b = await t.session('shared');
    await t.observe(a, ['a1']);
    await t.observe(b, ['b1']);
    expect((await t.get(`/sessions/${a}/stm`)).json().stm).toEqual([['a1']]);
    expect((await t.get(`/sessions/${b}/stm`)).json().stm).toEqual([['b1']]);
  });
});

describe('percept and cognition data (spec §13.12)', () => {
  it('shows the last observation with sorted strings and averaged emotives, {} after clear-stm', async () => {
    const id = await t.session('n');
    await t.post(`/sessions/${id}/observe`, { strings: ['b'], emotives: { joy: 1 } });
    await t.post(`/sessions/${id}/observe`, '{"strings": ["z", "a"], "vectors": [[1, 0]], "emotives": {"joy": 0.5}, "metadata": {"x": 1.0, "n": 2}}');
    const res = await t.get(`/sessions/${id}/percept-data`);
    expect(res.body).toContain('"metadata":{"x":1.0,"n":2}');
    expect(res.body).toContain('"vectors":[[1.0,0.0]]');
    expect(res.json()).toEqual({
      percept_data: { strings: ['a', 'z'], vectors: [[1, 0]], emotives: { joy: 0.75 }, path: [], metadata: { x: 1, n: 2 } },
      session_id: id,
      node_id: 'n',
    });
    const cognition = (await t.get(`/sessions/${id}/cognition-data`)).json().cognition_data;
    expect(cognition).toMatchObject({ emotives: { joy: 0.5 }, command: '', time: 2, short_term_memory: [['b'], [expect.stringMatching(/^VCTR\|/), 'a', 'z']] });
    await t.post(`/sessions/${id}/clear-stm`);
    expect((await t.get(`/sessions/${id}/percept-data`)).json().percept_data).toEqual({});
    expect((await t.get(`/sessions/${id}/cognition-data`)).json().cognition_data).toMatchObject({ predictions: [], time: 0, short_term_memory: [] });
  });

  it('keeps the predictions of the last observe for cognition-data, per session', async () => {
    const teacher = await t.session('iso');
    await t.observe(teacher, ['alpha'], ['beta'], ['gamma']);
    await t.post(`/sessions/${teacher}/learn`);
    const matching = await t.session('iso');
    const other = await t.session('iso');
    await t.observe(matching, ['alpha'], ['beta']);
    await t.observe(other, ['nothing'], ['here']);
    expect((await t.get(`/sessions/${matching}/cognition-data`)).json().cognition_data.predictions.length).toBeGreaterThan(0);
    expect((await t.get(`/sessions/${other}/cognition-data`)).json().cognition_data.predictions).toEqual([]);
  });
});

describe('learning (spec §7, §13.6, §13.14–18)', () => {
  it('refuses an empty STM with 400, and learns a 1-symbol STM as "" while clearing it', async () => {
    const id = await t.session('n');
    const empty = await t.post(`/sessions/${id}/learn`, {});
    expect(empty.statusCode).toBe(400);
    expect(empty.json().detail).toContain('empty STM');
    await t.observe(id, ['lonely']);
    const res = await t.post(`/sessions/${id}/learn`);
    expect(res.json()).toMatchObject({ status: 'learned', pattern_name: '', session_id: id, processor_id: null });
    expect((await t.get(`/sessions/${id}/stm`)).json().length).toBe(0);
  });

  it('learns whatever body it is sent', async () => {
    const id = await t.session('n');
    await t.observe(id, ['a'], ['b']);
    const res = await t.post(`/sessions/${id}/learn`, '{not json at all');
    expect(res.json().pattern_name).toBe('PTRN|76d7efca2e96cb5eeddf4e06ac96a0f424630135');
  });

  it("says what KATO says of a learn: the pattern and '0 events', counted after the STM was cleared", async () => {
    const id = await t.session('n');
    await t.observe(id, ['a'], ['b'], ['c']);
    const res = await t.post(`/sessions/${id}/learn`);
    expect(res.json()).toEqual({
      status: 'learned',
      pattern_name: 'PTRN|b98534b32c1d7489d4ce1a48724aa65aeecbdba9',
      session_id: id,
      processor_id: null,
      message: 'Learned pattern PTRN|b98534b32c1d7489d4ce1a48724aa65aeecbdba9 from 0 events',
    });
  });

  it('serves the pattern by either name form with its emotives list and metadata', async () => {
    const id = await t.session('test_pat');
    for (let i = 0; i < 7; i++) await t.post(`/sessions/${id}/observe`, `{"strings": ["s${i}"], "emotives": {"v": ${i}.0}, "metadata": {"k": ${i % 2 === 0 ? '1.0' : '"x"'}}}`);
    const learned = (await t.post(`/sessions/${id}/learn`)).json().pattern_name;
    for (const ref of [learned, name(learned)]) {
      const res = await t.get(`/pattern/${encodeURIComponent(ref)}?node_id=test_pat`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        pattern: {
          status: 'okay',
          pattern: {
            name: learned,
            pattern_data: [['s0'], ['s1'], ['s2'], ['s3'], ['s4'], ['s5'], ['s6']],
            length: 7,
            frequency: 1,
            emotives: [2, 3, 4, 5, 6].map((v) => ({ v })),
            metadata: { k: ['1.0', 'x'] },
          },
        },
        node_id: 'test_pat_kato',
      });
    }
    expect((await t.get(`/pattern/${name(learned)}`, { 'x-test-id': 'pat' })).json().pattern.status).toBe('okay');
    const unknown = await t.get(`/pattern/${'0'.repeat(40)}?node_id=test_pat`);
    expect(unknown.json()).toEqual({ pattern: { status: 'error', message: `Pattern ${'0'.repeat(40)} not found` }, node_id: 'test_pat_kato' });
  });

  it('counts re-learns and unites metadata, with a fresh node per node_id', async () => {
    const id = await t.session('freq');
    for (let i = 0; i < 3; i++) {
      await t.post(`/sessions/${id}/observe`, { strings: ['a'], metadata: { run: `r${i}`, c: 'constant' } });
      await t.observe(id, ['b']);
      await t.post(`/sessions/${id}/learn`);
      await t.post(`/sessions/${id}/clear-stm`);
    }
    const pattern = (await t.get(`/pattern/76d7efca2e96cb5eeddf4e06ac96a0f424630135?node_id=freq`)).json().pattern.pattern;
    expect(pattern.frequency).toBe(3);
    expect(pattern.metadata).toEqual({ run: ['r0', 'r1', 'r2'], c: ['constant'] });
    expect((await t.get(`/pattern/76d7efca2e96cb5eeddf4e06ac96a0f424630135?node_id=other`)).json().pattern.status).toBe('error');
  });

  it('accumulates symbol affinity per learn and serves it', async () => {
    const s1 = await t.session('aff');
    await t.post(`/sessions/${s1}/observe`, { strings: ['A'], emotives: { joy: 0.8 } });
    await t.post(`/sessions/${s1}/observe`, { strings: ['B'], emotives: { joy: 0.4 } });
    await t.post(`/sessions/${s1}/learn`);
    const s2 = await t.session('aff');
    await t.post(`/sessions/${s2}/observe`, { strings: ['B'], emotives: { joy: 2.0 } });
    await t.post(`/sessions/${s2}/observe`, { strings: ['C'] });
    await t.post(`/sessions/${s2}/learn`);
    const all = await t.get('/symbols/affinity?node_id=aff');
    expect(all.json().node_id).toBe('aff_kato');
    expect(all.json().affinities.A.joy).toBeCloseTo(0.6, 12);
    expect(all.json().affinities.B.joy).toBeCloseTo(2.6, 12);
    expect(all.body).toContain('"C":{"joy":2.0}');
    expect((await t.get('/symbols/C/affinity?node_id=aff')).json()).toEqual({ symbol: 'C', affinity: { joy: 2 }, node_id: 'aff_kato' });
    expect((await t.get('/symbols/Z/affinity?node_id=aff')).json().affinity).toEqual({});
    expect((await t.get('/symbols/stats?node_id=aff')).json().symbols.B).toEqual({ name: 'B', frequency: 2, pattern_member_frequency: 2 });
  });
});

describe('observe-sequence (spec §6.8)', () => {
  it('observes, learns after each and at the end, echoing unique ids', async () => {
    const id = await t.session('n');
    const res = await t.post(`/sessions/${id}/observe-sequence`, {
      observations: [{ strings: ['a', 'b'], unique_id: 'first' }, { strings: ['c', 'd'] }, { strings: ['e', 'f'] }],
      learn_after_each: true,
    });
    const body = res.json();
    expect(body).toMatchObject({ status: 'completed', processor_id: 'n', observations_processed: 3, initial_stm_length: 0, final_stm_length: 0, isolated: false });
    expect(body.auto_learned_patterns).toHaveLength(3);
    expect(body.results[0]).toEqual({ status: 'okay', sequence_position: 0, stm_length: 0, time: 1, unique_id: 'first', auto_learned_pattern: null });
    expect(body.results[1].unique_id).toMatch(/^seq-obs-[0-9a-f]{32}$/);
  });

  it('answers an empty sequence without changing the session', async () => {
    const id = await t.session('n');
    await t.observe(id, ['x']);
    const res = await t.post(`/sessions/${id}/observe-sequence`, { observations: [], learn_at_end: true });
    expect(res.json()).toMatchObject({ observations_processed: 0, initial_stm_length: 1, final_stm_length: 1, results: [], final_learned_pattern: null });
  });

  it('refuses a sequence that is not a list, or an item with bad vectors, and changes nothing', async () => {
    const id = await t.session('n');
    expect((await t.post(`/sessions/${id}/observe-sequence`, { observations: 'not_a_list' })).statusCode).toBe(422);
    expect((await t.post(`/sessions/${id}/observe-sequence`, {})).json().detail[0].loc).toEqual(['body', 'observations']);
    const bad = await t.post(`/sessions/${id}/observe-sequence`, { observations: [{ strings: ['a'] }, { vectors: [[1], [1, 2], [1, 2, 3]] }] });
    expect(bad.statusCode).toBe(400);
    expect((await t.get(`/sessions/${id}/stm`)).json().length).toBe(0);
  });
});

describe('predictions over HTTP (spec §8, §13.19–30)', () => {
  it('returns the learned pattern with Python floats, no PTRN| prefix and the response envelope', async () => {
    const id = await t.session('pred');
    await t.observe(id, ['a'], ['b'], ['c']);
    await t.post(`/sessions/${id}/learn`);
    await t.observe(id, ['a'], ['b']);
    const res = await t.get(`/sessions/${id}/predictions?unique_id=ignored`);
    const body = res.json();
    expect(body).toMatchObject({ session_id: id, processor_id: null, count: 1, time: null, unique_id: null });
    expect(body.predictions[0].name).toBe('b98534b32c1d7489d4ce1a48724aa65aeecbdba9');
    expect(body.predictions[0]).toMatchObject({ past: [], present: [['a'], ['b']], future: [['c']], missing: [[], []], extras: [[], []] });
    expect(res.body).toContain('"bayesian_posterior":1.0');
    expect(res.body).toContain('"bayesian_prior":1.0');
    expect(res.body).toContain('"frequency":1,');
    expect(body.future_potentials).toEqual([{ future: [['c']], aggregate_potential: 1, supporting_patterns: 1, total_weighted_frequency: 0.8 }]);
  });

  it('answers a single symbol with patterns that start with it, and nothing for an empty STM', async () => {
    const id = await t.session('single');
    await t.observe(id, ['cat'], ['sat']);
    await t.post(`/sessions/${id}/learn`);
    await t.observe(id, ['the'], ['cat']);
    await t.post(`/sessions/${id}/learn`);
    expect((await t.get(`/sessions/${id}/predictions`)).json()).toMatchObject({ predictions: [], count: 0 });
    await t.observe(id, ['cat']);
    const predictions = (await t.get(`/sessions/${id}/predictions`)).json().predictions;
    expect(predictions.map((p: { future: string[] }) => p.future)).toEqual([['sat']]);
  });

  it('sees a just-learned pattern at once and gives identical answers to repeated queries', async () => {
    const id = await t.session('ryw');
    await t.observe(id, ['x'], ['y'], ['z']);
    await t.post(`/sessions/${id}/learn`);
    await t.observe(id, ['x'], ['y']);
    const first = (await t.get(`/sessions/${id}/predictions`)).body;
    expect(JSON.parse(first).count).toBe(1);
    expect((await t.get(`/sessions/${id}/predictions`)).body).toBe(first);
  });

  it('honours the session recall threshold and max_predictions', async () => {
    const id = await t.session('cfg');
    for (const tail of ['c', 'd', 'e', 'f']) {
      await t.observe(id, ['a'], ['b'], [tail], ['q'], ['r']);
      await t.post(`/sessions/${id}/learn`);
    }
    await t.observe(id, ['a'], ['b']);
    expect((await t.get(`/sessions/${id}/predictions`)).json().count).toBe(4);
    await t.post(`/sessions/${id}/config`, { max_predictions: 3 });
    expect((await t.get(`/sessions/${id}/predictions`)).json().count).toBe(3);
    await t.post(`/sessions/${id}/config`, { recall_threshold: 0.9 });
    expect((await t.get(`/sessions/${id}/predictions`)).json().count).toBe(0);
  });

  it('clear-all empties the node for every session while keeping their STM', async () => {
    const a = await t.session('wipe');
    const b = await t.session('wipe');
    await t.observe(a, ['a'], ['b'], ['c']);
    await t.post(`/sessions/${a}/learn`);
    await t.observe(b, ['a'], ['b']);
    expect((await t.post(`/sessions/${a}/clear-all`)).json()).toEqual({ status: 'cleared', session_id: a, scope: 'all' });
    expect((await t.get(`/sessions/${b}/stm`)).json().length).toBe(2);
    expect((await t.get(`/sessions/${b}/predictions`)).json().count).toBe(0);
  });

  it('finalize-training reports the patterns it processed', async () => {
    const id = await t.session('fin');
    await t.observe(id, ['a'], ['b']);
    await t.post(`/sessions/${id}/learn`);
    const res = await t.post(`/sessions/${id}/finalize-training`);
    expect(res.json()).toMatchObject({ status: 'completed', patterns_processed: 1, session_id: id, node_id: 'fin' });
    expect(res.body).toMatch(/"time_ms":\d+\.\d+/);
  });
});

describe('auto-learn over HTTP (spec §13.13)', () => {
  it('returns the auto-learned pattern on the triggering observation only', async () => {
    const id = await t.session('auto', { config: { max_pattern_length: 3, stm_mode: 'ROLLING' } });
    const answers = [];
    for (const s of ['roll1', 'roll2', 'roll3', 'roll4']) answers.push((await t.post(`/sessions/${id}/observe`, { strings: [s] })).json());
    expect(answers.map((a) => a.auto_learned_pattern !== null)).toEqual([false, false, true, true]);
    expect(answers[3].stm_length).toBe(2);
    expect((await t.get(`/sessions/${id}/stm`)).json().stm).toEqual([['roll3'], ['roll4']]);
  });
});
