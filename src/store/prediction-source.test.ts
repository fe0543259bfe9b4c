import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { patternName } from '../engine/names.js';
import { predict } from '../engine/predictions/predict.js';
import type { Prediction } from '../engine/predictions/types.js';
import type { Event, SessionConfig } from '../engine/types.js';
import { openStore } from './index.js';
import { forgetCandidateIndex, storePredictionSource } from './prediction-source.js';
import type { Store } from './types.js';
import { DEFAULT_CONFIG } from '../engine/processor/config.js';

const root = mkdtempSync(join(tmpdir(), 'kato-prediction-source-'));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

const config: SessionConfig = DEFAULT_CONFIG;
const P = { persistence: 5 };
const single = (...symbols: string[]): Event[] => symbols.map((s) => [s]);
const names = async (store: Store, stm: Event[], over: Partial<SessionConfig> = {}) =>
  (await predict(stm, { ...config, ...over }, storePredictionSource(store, 'n'))).predictions.map((p) => p.name);

describe('storePredictionSource', () => {
  let store: Store;
  beforeEach(() => {
    store = openStore(join(root, `kb${n++}`));
  });
  afterEach(async () => {
    await store.close();
  });

  it('reproduces the golden example from a SQLite KB, with and without the candidate index', async () => {
    await store.learn('n', [{ events: single('a', 'b', 'c') }, { events: single('a', 'b', 'c') }, { events: [['a', 'x'], ['b'], ['d']] }], P);
    const indexed = await predict(single('a', 'b'), config, storePredictionSource(store, 'n'));
    const scored = await predict(single('a', 'b'), config, storePredictionSource(store, 'n', { candidateIndex: false }));
    expect(indexed).toEqual(scored);
    expect(indexed.predictions.map((p) => [p.name, p.potential])).toEqual([
      ['b98534b32c1d7489d4ce1a48724aa65aeecbdba9', 3.6666666666666665],
      ['f52cd7a84f5315cebdcbe47e20fc9987cd257c71', 2.647603013860688],
    ]);
    expect(indexed.futurePotentials.map((f) => f.aggregate_potential)).toEqual([0.7058823529411765, 0.2941176470588235]);
  });

  it('sees a pattern learned right before the prediction (read-your-writes)', async () => {
    await store.learn('n', [{ events: single('a', 'b', 'c') }], P);
    expect(await names(store, single('x', 'y'))).toEqual([]);
    await store.learn('n', [{ events: single('x', 'y', 'z') }], P);
    expect(await names(store, single('x', 'y'))).toEqual([patternName(single('x', 'y', 'z'))]);
  });

  it('sees patterns learned through another connection to the same database', async () => {
    const dir = join(root, `shared${n++}`);
    const reader = openStore(dir);
    const writer = openStore(dir);
    try {
      await writer.learn('n', [{ events: single('a', 'b', 'c') }], P);
      expect(await names(reader, single('a', 'b'))).toHaveLength(1);
      await writer.learn('n', [{ events: single('a', 'b', 'd') }], P);
      expect(await names(reader, single('a', 'b'))).toHaveLength(2);
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  it('starts over when the node was cleared and relearned in between', async () => {
    await store.learn('n', [{ events: single('a', 'b', 'c') }, { events: single('a', 'b', 'd') }], P);
    expect(await names(store, single('a', 'b'))).toHaveLength(2);
    await store.clearNode('n');
    // The new rows may reuse the old row ids; the index must not keep the old patterns.
    await store.learn('n', [{ events: single('p', 'q', 'r') }, { events: single('a', 'b', 'e') }, { events: single('s', 't') }], P);
    expect(await names(store, single('a', 'b'))).toEqual([patternName(single('a', 'b', 'e'))]);
    expect(await names(store, single('p', 'q'))).toEqual([patternName(single('p', 'q', 'r'))]);
  });

  it('answers totals from the index as the store counts them', async () => {
    await store.learn('n', [{ events: single('a', 'b', 'c') }, { events: single('a', 'b', 'c') }, { events: single('c', 'd') }], P);
    expect(await storePredictionSource(store, 'n').totals()).toEqual(await store.totals('n'));
    await store.clearNode('n');
    await store.learn('n', [{ events: single('x', 'y') }], P);
    expect(await storePredictionSource(store, 'n').totals()).toEqual(await store.totals('n'));
  });

  it('forgets a node index on request', async () => {
    await store.learn('n', [{ events: single('a', 'b', 'c') }], P);
    expect(await names(store, single('a', 'b'))).toHaveLength(1);
    forgetCandidateIndex(store, 'n');
    expect(await names(store, single('a', 'b'))).toHaveLength(1);
  });

  it('serves the single-symbol path and threshold 0 from the store', async () => {
    await store.learn('n', [{ events: single('cat', 'sat') }, { events: single('the', 'cat') }, { events: single('dog', 'ran') }], P);
    expect(await names(store, [['cat']])).toEqual([patternName(single('cat', 'sat'))]);
    expect(await names(store, single('cat', 'x'), { recall_threshold: 0 })).toHaveLength(3);
  });

  it('selects through the index exactly what scoring every candidate selects', async () => {
    // A skewed vocabulary: many ties at the pruning boundary.
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const symbol = () => `s${Math.floor(random() ** 3 * 30)}`;
    const items = Array.from({ length: 1500 }, () => ({ events: single(...Array.from({ length: 2 + Math.floor(random() * 6) }, symbol)) }));
    for (let i = 0; i < items.length; i += 400) await store.learn('n', items.slice(i, i + 400), P);
    for (let q = 0; q < 12; q++) {
      const stm = single(...Array.from({ length: 2 + (q % 7) }, symbol));
      const over = { max_predictions: 1 + (q % 5), recall_threshold: [0.1, 0.2][q % 2] };
      const indexed = await predict(stm, { ...config, ...over }, storePredictionSource(store, 'n'));
      const scored = await predict(stm, { ...config, ...over }, storePredictionSource(store, 'n', { candidateIndex: false }));
      expect(indexed).toEqual(scored);
    }
  });

  it('stays exact while its index is renumbered in name order between learns', async () => {
    let seed = 11;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const symbol = () => `s${Math.floor(random() ** 3 * 30)}`;
    const items = Array.from({ length: 1200 }, () => ({ events: single(...Array.from({ length: 2 + Math.floor(random() * 6) }, symbol)) }));
    for (let i = 0; i < items.length; i += 300) {
      await store.learn('n', items.slice(i, i + 300), P);
      for (let q = 0; q < 4; q++) {
        const stm = single(...Array.from({ length: 2 + ((q + i) % 7) }, symbol));
        const over = { max_predictions: 1 + (q % 5) };
        const indexed = await predict(stm, { ...config, ...over }, storePredictionSource(store, 'n', { renumberAfter: 100 }));
        const scored = await predict(stm, { ...config, ...over }, storePredictionSource(store, 'n', { candidateIndex: false }));
        expect(indexed).toEqual(scored);
      }
    }
    const index = await storePredictionSource(store, 'n', { renumberAfter: 100 }).candidateIndex!();
    expect(index.sortedCount).toBeGreaterThanOrEqual(900);
  });
});

describe('symbol statistics of predictions', () => {
  const stm = single('a', 'b');
  const affinity = { ...config, affinity_emotive: 'joy' };
  // Predictions through the candidate index, and through a source that reads every statistic
  // from the store: they must agree after every change of the KB.
  const both = async (store: Store, settings: SessionConfig) => {
    const indexed = await predict(stm, settings, storePredictionSource(store, 'n'));
    const fromStore = await predict(stm, settings, storePredictionSource(store, 'n', { candidateIndex: false }));
    expect(indexed).toEqual(fromStore);
    return indexed.predictions.map((p) => {
      const full = p as Prediction;
      return [full.name, full.tfidf_score, full.global_normalized_entropy, full.confluence, full.itfdf_similarity, full.potential];
    });
  };

  it('follow patterns learned after a prediction, through the store and through another connection', async () => {
    const dir = join(root, `stats${n++}`);
    const store = openStore(dir);
    const other = openStore(dir);
    try {
      await store.learn('n', [{ events: single('a', 'b', 'c') }, { events: single('a', 'x', 'b') }, { events: single('q', 'r') }], P);
      const first = await both(store, config);
      await store.learn('n', [{ events: single('b', 'c', 'y') }, { events: single('c', 'z') }], P);
      const second = await both(store, config);
      expect(second).not.toEqual(first);
      await other.learn('n', [{ events: single('x', 'c') }, { events: single('a', 'w', 'v') }], P);
      const third = await both(store, config);
      expect(third).not.toEqual(second);
      // A relearn changes no pmf: the candidate's frequency changes.
      await other.learn('n', [{ events: single('a', 'b', 'c') }], P);
      expect(await both(store, config)).not.toEqual(third);
    } finally {
      await store.close();
      await other.close();
    }
  });

  it('use the frequencies the index read only while no stored pattern has changed since', async () => {
    const dir = join(root, `frequencies${n++}`);
    const store = openStore(dir);
    const other = openStore(dir);
    const source = storePredictionSource(store, 'n');
    const stm = single('a', 'b');
    const frequencies = async () => Object.fromEntries((await predict(stm, config, source)).predictions.map((p) => [p.name, [p.frequency, p.emotives]]));
    const abc = patternName(single('a', 'b', 'c'));
    const abd = patternName(single('a', 'b', 'd'));
    try {
      await store.learn('n', [{ events: single('a', 'b', 'c') }, { events: single('a', 'b', 'd') }], P);
      expect(await frequencies()).toEqual({ [abc]: [1, {}], [abd]: [1, {}] });
      // Relearned through another connection: the copy is stale, the store is read.
      await other.learn('n', [{ events: single('a', 'b', 'c') }, { events: single('a', 'b', 'c') }], P);
      expect(await frequencies()).toEqual({ [abc]: [3, {}], [abd]: [1, {}] });
      // Emotives on a stored pattern, and new patterns alongside.
      await other.learn('n', [{ events: single('a', 'b', 'd'), emotives: [{ joy: 1 }] }, { events: single('x', 'a', 'b') }], P);
      const withEmotives = await frequencies();
      expect(withEmotives[abd]).toEqual([2, { joy: 1 }]);
      expect(withEmotives[abc]).toEqual([3, {}]);
      expect(withEmotives[patternName(single('x', 'a', 'b'))]).toEqual([1, {}]);
      // Unchanged since: the same answer (now from the copy), equal to scoring from the store.
      expect(await frequencies()).toEqual(withEmotives);
      expect(await predict(stm, config, source)).toEqual(await predict(stm, config, storePredictionSource(store, 'n', { candidateIndex: false })));
    } finally {
      await store.close();
      await other.close();
    }
  });

  it('weigh symbols by their current occurrence counts', async () => {
    const dir = join(root, `weights${n++}`);
    const store = openStore(dir);
    const other = openStore(dir);
    try {
      await store.learn('n', [{ events: single('a', 'b'), emotives: [{ joy: 1 }] }, { events: single('b', 'd') }], P);
      const first = await both(store, affinity);
      // The same pattern again: only occurrence counts, the frequency and the counters change.
      await other.learn('n', [{ events: single('b', 'd') }], P);
      const second = await both(store, affinity);
      expect(second).not.toEqual(first);
      // Cleared and relearned to the same counters and rows, with other occurrence counts.
      const counters = await store.totals('n');
      await store.clearNode('n');
      await other.learn('n', [{ events: single('a', 'b'), emotives: [{ joy: 1 }] }, { events: single('a', 'b') }, { events: single('b', 'd') }], P);
      expect(await store.totals('n')).toEqual(counters);
      expect(await both(store, affinity)).not.toEqual(second);
    } finally {
      await store.close();
      await other.close();
    }
  });
});
