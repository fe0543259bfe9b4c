import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeNodeKb, vectorCache } from '../../server/node-kb.js';
import { openStore } from '../../store/index.js';
import type { Store } from '../../store/types.js';
import { patternName } from '../names.js';
import type { Observation } from '../types.js';
import { DEFAULT_CONFIG, type ConfigValues } from './config.js';
import { JsonFloat } from './json-value.js';
import { clearAll, clearStm, finalizeTraining, learn, observe, observeSequence, predictions, type ProcessorContext } from './processor.js';
import { applySessionLimits, newSessionState, type SessionState } from './session.js';
import { vectorName } from './vectors.js';

const root = mkdtempSync(join(tmpdir(), 'kato-processor-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

let store: Store;
let ctx: ProcessorContext;
beforeEach(() => {
  store = openStore(join(root, `kb${n++}`));
  ctx = { kb: storeNodeKb(store, 'node', vectorCache()), defaults: DEFAULT_CONFIG };
});
afterEach(async () => {
  await store.close();
});

const obs = (strings: string[], extra: Partial<Observation> = {}): Observation => ({
  strings,
  vectors: [],
  emotives: {},
  metadata: {},
  ...extra,
});

async function observeAll(state: SessionState, events: string[][]): Promise<(string | null)[]> {
  const learned: (string | null)[] = [];
  for (const strings of events) learned.push((await observe(state, obs(strings), ctx)).autoLearnedPattern);
  return learned;
}

const session = (config: ConfigValues = {}) => newSessionState(config);

describe('observe (spec §6.1–6.4)', () => {
  it('sorts the symbols of an event by code point, keeping duplicates and the empty string', async () => {
    const state = session();
    await observeAll(state, [
      ['Zoo', 'Apple', 'apple'],
      ['10', '2', '1', '20', '100', '3'],
      ['z', '', 'a', 'middle'],
      ['école', 'zebra', 'åpple', 'ñoño', 'normal'],
      ['b', 'a', 'b'],
      ['\u{1F600}', '\uFFFD'],
    ]);
    expect(state.stm).toEqual([
      ['Apple', 'Zoo', 'apple'],
      ['1', '10', '100', '2', '20', '3'],
      ['', 'a', 'middle', 'z'],
      ['normal', 'zebra', 'åpple', 'école', 'ñoño'],
      ['a', 'b', 'b'],
      ['\uFFFD', '\u{1F600}'],
    ]);
  });

  it('keeps the given order when sort_symbols is off for the session', async () => {
    const state = session({ sort_symbols: false });
    await observeAll(state, [['b', 'a']]);
    expect(state.stm).toEqual([['b', 'a']]);
    expect(state.perceptData?.strings).toEqual(['a', 'b']);
  });

  it('advances time for empty observations without adding an event', async () => {
    const state = session();
    await observeAll(state, [['a'], [], ['b']]);
    expect(state.time).toBe(3);
    expect(state.stm).toEqual([['a'], ['b']]);
    await observe(state, obs([''], {}), ctx);
    expect(state.stm).toEqual([['a'], ['b'], ['']]);
  });

  it('puts vector symbols first, each part sorted on its own', async () => {
    const state = session();
    await observe(state, obs(['z', 'a'], { vectors: [[1, 2, 3]] }), ctx);
    expect(state.stm).toEqual([[vectorName([1, 2, 3]), 'a', 'z']]);
  });

  it('averages emotives into the percept and keeps the observation as given', async () => {
    const state = session();
    await observe(state, obs(['b', 'a'], { emotives: { joy: 1 }, vectors: [[1, 0]] }), ctx);
    await observe(state, obs(['c'], { emotives: { joy: 0.5, fear: 1 }, metadata: { source: 'x', ratio: new JsonFloat('1.0') } }), ctx);
    expect(state.perceptData).toEqual({
      strings: ['c'],
      vectors: [],
      emotives: { joy: 0.75, fear: 1 },
      path: [],
      metadata: { source: 'x', ratio: new JsonFloat('1.0') },
    });
    expect(state.emotivesAccumulator).toEqual([{ joy: 1 }, { joy: 0.5, fear: 1 }]);
    await observe(state, obs(['d'], { emotives: {}, metadata: {} }), ctx);
    expect(state.emotivesAccumulator).toHaveLength(2);
    expect(state.metadataAccumulator).toHaveLength(1);
  });

  it('stores predictions only while process_predictions is on', async () => {
    await store.learn('node', [{ events: [['a'], ['b'], ['c']] }], { persistence: 5 });
    const on = session();
    await observeAll(on, [['a'], ['b']]);
    expect(on.predictions.map((p) => p.name)).toEqual([patternName([['a'], ['b'], ['c']])]);
    const off = session({ process_predictions: false });
    await observeAll(off, [['a'], ['b']]);
    expect(off.predictions).toEqual([]);
    await observe(on, obs([]), ctx);
    expect(on.predictions).toEqual([]);
  });

  it('refuses vectors that cannot be summed before changing anything', async () => {
    const state = session();
    await observeAll(state, [['a']]);
    await expect(observe(state, obs(['b'], { vectors: [[1, 2], [1, 2, 3]] }), ctx)).rejects.toThrow(/vectors/);
    expect(state.time).toBe(1);
    expect(state.stm).toEqual([['a']]);
    expect((await store.deferredVectors('node')).size).toBe(0);
  });

  it('keeps at most 1000 STM events (spec §5.2)', async () => {
    const state = session({ process_predictions: false });
    for (let i = 0; i < 1100; i++) {
      await observe(state, obs([`s${i}`], { emotives: { i }, metadata: { i } }), ctx);
      // Limits apply on save, which the server does after each observation.
      applySessionLimits(state);
    }
    expect(state.stm.length).toBe(1000);
    expect(state.stm[0]).toEqual(['s100']);
    expect(state.emotivesAccumulator.length).toBe(1000);
    expect(state.metadataAccumulator[0]).toEqual({ i: '100' });
  });
});

describe('vectors: nearest stored vectors, deferred until learn (spec §6.2)', () => {
  it('includes both stored vectors whatever their distance (test_threshold_multimodal)', async () => {
    const state = session();
    await observe(state, obs(['red'], { vectors: [[1, 0, 0]] }), ctx);
    await observe(state, obs(['green'], { vectors: [[0, 1, 0]] }), ctx);
    // Nothing is indexed before a learn, so the second event holds only its own vector.
    expect(state.stm).toEqual([
      [vectorName([1, 0, 0]), 'red'],
      [vectorName([0, 1, 0]), 'green'],
    ]);
    expect(await learn(state, ctx)).toMatch(/^PTRN\|[0-9a-f]{40}$/);
    expect([...(await store.vectors('node')).keys()].sort()).toEqual([vectorName([0, 1, 0]), vectorName([1, 0, 0])].sort());
    await observe(state, obs(['red'], { vectors: [[1, 0, 0]] }), ctx);
    expect(state.stm[0]).toEqual([...[vectorName([1, 0, 0]), vectorName([0, 1, 0])].sort(), 'red']);
  });

  it('indexes vectors deferred by any session of the node, even after clear-stm', async () => {
    const a = session();
    const b = session();
    await observe(a, obs([], { vectors: [[1, 1]] }), ctx);
    clearStm(a);
    await observeAll(b, [['x'], ['y']]);
    await learn(b, ctx);
    expect([...(await store.vectors('node')).keys()]).toEqual([vectorName([1, 1])]);
  });
});

describe('learn (spec §7.1)', () => {
  it('needs at least 2 symbols, and clears the STM either way', async () => {
    const state = session();
    await observeAll(state, [['lonely']]);
    expect(await learn(state, ctx)).toBe('');
    expect(state.stm).toEqual([]);
    await observeAll(state, [['first', 'pattern']]);
    expect(await learn(state, ctx)).toBe(`PTRN|${patternName([['first', 'pattern']])}`);
    expect(state.stm).toEqual([]);
  });

  it('names patterns by their events: same sequence same name, order or case changes it', async () => {
    const state = session();
    const names: string[] = [];
    for (const events of [[['a'], ['b']], [['a'], ['b']], [['b'], ['a']], [['A'], ['b']]]) {
      await observeAll(state, events);
      names.push(await learn(state, ctx));
    }
    expect(names[0]).toBe('PTRN|76d7efca2e96cb5eeddf4e06ac96a0f424630135');
    expect(names[1]).toBe(names[0]);
    expect(new Set(names).size).toBe(3);
    expect((await store.getPattern('node', names[0].slice(5)))!.frequency).toBe(2);
  });

  it('stores the emotives list in order, windowed by persistence, and leaves the accumulators', async () => {
    const state = session();
    for (let i = 0; i < 7; i++) await observe(state, obs([`s${i}`], { emotives: { v: i } }), ctx);
    const name = (await learn(state, ctx)).slice(5);
    expect((await store.getPattern('node', name))!.emotives).toEqual([2, 3, 4, 5, 6].map((v) => ({ v })));
    expect(state.emotivesAccumulator).toHaveLength(7);
  });

  it('honours the session persistence', async () => {
    const state = session({ persistence: 2 });
    for (let i = 0; i < 4; i++) await observe(state, obs([`s${i}`], { emotives: { v: i } }), ctx);
    const name = (await learn(state, ctx)).slice(5);
    expect((await store.getPattern('node', name))!.emotives).toEqual([{ v: 2 }, { v: 3 }]);
  });

  it("stringifies metadata as Python's str() and unites it across learns", async () => {
    const state = session();
    await observe(state, obs(['a'], { metadata: { count: 123, price: new JsonFloat('45.67'), flag: true, name: 'test', one: new JsonFloat('1.0') } }), ctx);
    await observe(state, obs(['b'], { metadata: { name: 'other', nested: { k: [1, null] } } }), ctx);
    const name = (await learn(state, ctx)).slice(5);
    expect((await store.getPattern('node', name))!.metadata).toEqual({
      count: ['123'],
      price: ['45.67'],
      flag: ['True'],
      name: ['other', 'test'],
      one: ['1.0'],
      nested: ["{'k': [1, None]}"],
    });
  });

  it('lets a second learn inherit the accumulators of the first (KATO quirk)', async () => {
    const state = session();
    await observe(state, obs(['a', 'b'], { emotives: { joy: 1 } }), ctx);
    await learn(state, ctx);
    await observeAll(state, [['c', 'd']]);
    const second = (await learn(state, ctx)).slice(5);
    expect((await store.getPattern('node', second))!.emotives).toEqual([{ joy: 1 }]);
  });

  it('adds the average of the learn emotives to each symbol affinity, per learn', async () => {
    const s1 = session();
    await observe(s1, obs(['A'], { emotives: { joy: 0.8 } }), ctx);
    await observe(s1, obs(['B'], { emotives: { joy: 0.4 } }), ctx);
    await learn(s1, ctx);
    const s2 = session();
    await observe(s2, obs(['B'], { emotives: { joy: 2 } }), ctx);
    await observe(s2, obs(['C']), ctx);
    await learn(s2, ctx);
    const affinity = await store.affinities('node');
    expect(affinity.get('A')!.joy).toBeCloseTo(0.6, 12);
    expect(affinity.get('B')!.joy).toBeCloseTo(2.6, 12);
    expect(affinity.get('C')!.joy).toBe(2);
  });
});

describe('auto-learn (spec §6.7)', () => {
  it('CLEAR empties the STM when it reaches max_pattern_length', async () => {
    const state = session({ max_pattern_length: 3 });
    const learned = await observeAll(state, [['clear1'], ['clear2'], ['clear3']]);
    expect(learned[0]).toBeNull();
    expect(learned[1]).toBeNull();
    expect(learned[2]).toBe(`PTRN|${patternName([['clear1'], ['clear2'], ['clear3']])}`);
    expect(state.stm).toEqual([]);
    await observeAll(state, [['after_clear']]);
    expect(state.stm).toEqual([['after_clear']]);
  });

  it('ROLLING keeps the last max_pattern_length - 1 events', async () => {
    const state = session({ max_pattern_length: 3, stm_mode: 'ROLLING' });
    await observeAll(state, [['roll1'], ['roll2'], ['roll3']]);
    expect(state.stm).toEqual([['roll2'], ['roll3']]);
    await observeAll(state, [['roll4']]);
    expect(state.stm).toEqual([['roll3'], ['roll4']]);
  });

  it('ROLLING over five events learns three patterns and ends with the last two', async () => {
    const state = session({ max_pattern_length: 3, stm_mode: 'ROLLING' });
    const learned = await observeAll(state, [['A'], ['B'], ['C'], ['D'], ['E']]);
    expect(learned.filter((l) => l !== null)).toHaveLength(3);
    expect(state.stm).toEqual([['D'], ['E']]);
  });

  it('ROLLING with other lengths', async () => {
    const two = session({ max_pattern_length: 2, stm_mode: 'ROLLING' });
    await observeAll(two, [['A'], ['B'], ['C']]);
    expect(two.stm).toHaveLength(1);
    const four = session({ max_pattern_length: 4, stm_mode: 'ROLLING' });
    await observeAll(four, [['A'], ['B'], ['C'], ['D'], ['E']]);
    expect(four.stm).toHaveLength(3);
  });

  it('ROLLING over 100 events learns a pattern per event once full', async () => {
    const state = session({ max_pattern_length: 4, stm_mode: 'ROLLING', process_predictions: false });
    const learned = await observeAll(state, Array.from({ length: 100 }, (_, i) => [`e${i}`]));
    expect(learned.filter((l) => l !== null)).toHaveLength(97);
    expect(state.stm.length).toBeLessThanOrEqual(4);
  });

  it('mixes event sizes', async () => {
    const state = session({ max_pattern_length: 3, stm_mode: 'ROLLING' });
    await observeAll(state, [['single'], ['multi', 'symbol'], ['another'], ['last', 'event']]);
    expect(state.stm).toEqual([['another'], ['event', 'last']]);
  });

  it('switches mode mid-session on the next observation', async () => {
    const state = session({ max_pattern_length: 3 });
    await observeAll(state, [['a'], ['b'], ['c']]);
    expect(state.stm).toEqual([]);
    state.config = { ...state.config, stm_mode: 'ROLLING' };
    await observeAll(state, [['d'], ['e'], ['f']]);
    expect(state.stm).toEqual([['e'], ['f']]);
  });

  it('never learns with max_pattern_length 0', async () => {
    const state = session({ stm_mode: 'ROLLING' });
    const learned = await observeAll(state, Array.from({ length: 10 }, (_, i) => [`x${i}`]));
    expect(learned.every((l) => l === null)).toBe(true);
    expect(state.stm).toHaveLength(10);
  });

  it('learns a single one-symbol event with max_pattern_length 1 as nothing, clearing the STM', async () => {
    const state = session({ max_pattern_length: 1 });
    expect(await observeAll(state, [['solo']])).toEqual([null]);
    expect(state.stm).toEqual([]);
    expect(await observeAll(state, [['x', 'y']])).toEqual([`PTRN|${patternName([['x', 'y']])}`]);
  });

  it('stores auto-learned patterns without the session emotives (KATO quirk)', async () => {
    const state = session({ max_pattern_length: 2 });
    await observe(state, obs(['a'], { emotives: { joy: 1 } }), ctx);
    const name = (await observe(state, obs(['b']), ctx)).autoLearnedPattern!.slice(5);
    expect((await store.getPattern('node', name))!.emotives).toEqual([]);
    expect((await store.affinities('node')).size).toBe(0);
  });
});

describe('observeSequence (spec §6.8)', () => {
  const items = (events: string[][]) => events.map((strings, i) => obs(strings, { uniqueId: `u${i}` }));
  const none = { learnAfterEach: false, learnAtEnd: false, clearStmBetween: false };

  it('observes in order and echoes unique ids', async () => {
    const state = session();
    const out = await observeSequence(state, items([['a'], ['b'], ['c']]), none, ctx);
    expect(state.stm).toEqual([['a'], ['b'], ['c']]);
    expect(out.results.map((r) => [r.sequence_position, r.stm_length, r.time, r.unique_id])).toEqual([
      [0, 1, 1, 'u0'],
      [1, 2, 2, 'u1'],
      [2, 3, 3, 'u2'],
    ]);
    expect(out.autoLearnedPatterns).toEqual([]);
    expect(out.finalLearnedPattern).toBeNull();
  });

  it('learns after each two-symbol event', async () => {
    const state = session();
    const out = await observeSequence(state, items([['a', 'b'], ['c', 'd'], ['e', 'f']]), { ...none, learnAfterEach: true }, ctx);
    expect(out.autoLearnedPatterns).toHaveLength(3);
    expect(out.autoLearnedPatterns.every((p) => p.startsWith('PTRN|'))).toBe(true);
    expect(state.stm).toEqual([]);
  });

  it('learns at the end with the metadata of every observation', async () => {
    const state = session();
    const seq = [obs(['a'], { metadata: { src: 'one' } }), obs(['b'], { metadata: { src: 'two' } })];
    const out = await observeSequence(state, seq, { ...none, learnAtEnd: true }, ctx);
    expect(out.finalLearnedPattern).toMatch(/^PTRN\|/);
    expect(out.autoLearnedPatterns).toEqual([out.finalLearnedPattern]);
    expect(state.stm).toEqual([]);
    expect((await store.getPattern('node', out.finalLearnedPattern!.slice(5)))!.metadata).toEqual({ src: ['one', 'two'] });
  });

  it('clears the STM between items, keeping time and accumulators', async () => {
    const state = session();
    await observeSequence(state, [obs(['a'], { emotives: { joy: 1 } }), obs(['b']), obs(['c'])], { ...none, clearStmBetween: true }, ctx);
    expect(state.stm).toEqual([['c']]);
    expect(state.time).toBe(3);
    expect(state.emotivesAccumulator).toEqual([{ joy: 1 }]);
    const both = session();
    const out = await observeSequence(both, items([['a', 'b'], ['c', 'd'], ['e', 'f']]), { ...none, clearStmBetween: true, learnAfterEach: true }, ctx);
    expect(out.autoLearnedPatterns).toHaveLength(3);
    expect(both.stm).toEqual([]);
  });

  it('checks every item before observing any', async () => {
    const state = session();
    const seq = [obs(['a']), obs(['b'], { vectors: [[1], [1, 2], [1, 2, 3]] })];
    await expect(observeSequence(state, seq, none, ctx)).rejects.toThrow(/observations\[1\]\.vectors/);
    expect(state.time).toBe(0);
    expect(state.stm).toEqual([]);
  });
});

describe('clears and finalize-training', () => {
  it('clear-stm resets the session, clear-all also empties the node', async () => {
    const state = session();
    await observe(state, obs(['a', 'b'], { emotives: { joy: 1 }, metadata: { k: 'v' } }), ctx);
    await learn(state, ctx);
    await observeAll(state, [['a'], ['b']]);
    expect(state.predictions.length).toBeGreaterThan(0);
    clearStm(state);
    expect(state).toEqual(newSessionState());
    await observeAll(state, [['a'], ['b']]);
    await clearAll(state, ctx);
    expect(state.stm).toEqual([]);
    expect((await store.summary('node')).patterns).toBe(0);
    await observeAll(state, [['a'], ['b']]);
    expect((await predictions(state, ctx)).predictions).toEqual([]);
  });

  it('finalize-training stores metrics for every pattern of the node', async () => {
    const state = session();
    for (const events of [[['a'], ['b']], [['b'], ['c'], ['c']]]) {
      await observeAll(state, events);
      await learn(state, ctx);
    }
    expect(await finalizeTraining(ctx)).toBe(2);
    const record = await store.getPattern('node', patternName([['b'], ['c'], ['c']]));
    expect(record!.precomputed!.tf_vector).toEqual({ b: 1 / 3, c: 2 / 3 });
  });
});
