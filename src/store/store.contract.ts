/**
 * The contract every Store implementation passes (SQLite now, PostgreSQL later): learn
 * semantics of KATO §7.4–7.5, the symbol index, sessions and the exactly-once ledger.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { patternName } from '../engine/names.js';
import type { Event, LearnItem } from '../engine/types.js';
import type { DocumentCommit, Store } from './types.js';

const P = { persistence: 5 };
const ev = (...symbols: string[]) => symbols.map((s) => [s]);

/** Registers the store contract suite for an implementation. */
export function storeContract(label: string, open: () => Promise<Store>): void {
  describe(`${label}: store contract`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('learning', () => {
      it('creates a pattern with frequency 1 and counts re-learns', async () => {
        const [first] = await store.learn('n', [{ events: [['a'], ['b']] }], P);
        expect(first).toEqual({ name: '76d7efca2e96cb5eeddf4e06ac96a0f424630135', frequency: 1, created: true });
        const [again] = await store.learn('n', [{ events: [['a'], ['b']] }], P);
        expect(again).toEqual({ name: first.name, frequency: 2, created: false });
        const record = await store.getPattern('n', first.name);
        expect(record).toMatchObject({ name: first.name, events: [['a'], ['b']], length: 2, frequency: 2, emotives: [], metadata: {} });
      });

      it('applies a keyed learn once, returning the first outcome to a repeat', async () => {
        const first = await store.learn('n', [{ events: ev('a', 'b') }], { ...P, writeKey: 'req-1#0' });
        const again = await store.learn('n', [{ events: ev('a', 'b') }], { ...P, writeKey: 'req-1#0' });
        expect(again).toEqual(first);
        expect((await store.getPattern('n', first[0].name))!.frequency).toBe(1);
        expect((await store.symbolStats('n', ['a'])).get('a')).toEqual({ freq: 1, pmf: 1 });
        const other = await store.learn('n', [{ events: ev('a', 'b') }], { ...P, writeKey: 'req-2#0' });
        expect(other[0].frequency).toBe(2);
      });

      it('counts duplicates inside one batch', async () => {
        const out = await store.learn('n', [{ events: ev('a', 'b') }, { events: ev('a', 'b') }, { events: ev('b', 'a') }], P);
        expect(out.map((o) => [o.frequency, o.created])).toEqual([
          [1, true],
          [2, false],
          [1, true],
        ]);
      });

      it('refuses a pattern of fewer than 2 symbols and changes nothing', async () => {
        await expect(store.learn('n', [{ events: ev('a', 'b') }, { events: [['lonely']] }], P)).rejects.toThrow(/at least 2 symbols/);
        expect((await store.summary('n')).patterns).toBe(0);
        expect((await store.totals('n')).totalUniquePatterns).toBe(0);
      });

      it('keeps symbol statistics and totals as KATO does', async () => {
        await store.learn('n', [{ events: [['a', 'b'], ['a']] }, { events: ev('b', 'c') }, { events: [['a', 'b'], ['a']] }], P);
        const stats = await store.symbolStats('n', ['a', 'b', 'c', 'zzz']);
        expect(stats.get('a')).toEqual({ freq: 4, pmf: 1 });
        expect(stats.get('b')).toEqual({ freq: 3, pmf: 2 });
        expect(stats.get('c')).toEqual({ freq: 1, pmf: 1 });
        expect(stats.has('zzz')).toBe(false);
        expect(await store.totals('n')).toEqual({
          totalSymbolsInPatternsFrequencies: 8,
          totalPatternFrequencies: 2,
          totalUniquePatterns: 2,
          distinctSymbols: 3,
        });
        expect([...(await store.allSymbolStats('n')).keys()]).toEqual(['a', 'b', 'c']);
      });

      it('keeps the last `persistence` emotive dicts across re-learns', async () => {
        const emotives = [1, 2, 3, 4, 5, 6, 7].map((v) => ({ joy: v }));
        const [{ name }] = await store.learn('n', [{ events: ev('a', 'b'), emotives }], P);
        expect((await store.getPattern('n', name))!.emotives).toEqual([3, 4, 5, 6, 7].map((v) => ({ joy: v })));
        await store.learn('n', [{ events: ev('a', 'b'), emotives: [{ joy: 8 }, { joy: 9 }] }], P);
        expect((await store.getPattern('n', name))!.emotives).toEqual([5, 6, 7, 8, 9].map((v) => ({ joy: v })));
        await store.learn('n', [{ events: ev('a', 'b') }], P);
        expect((await store.getPattern('n', name))!.emotives).toHaveLength(5);
      });

      it('unites metadata across re-learns', async () => {
        const [{ name }] = await store.learn('n', [{ events: ev('a', 'b'), metadata: { src: ['x'], k: ['constant'] } }], P);
        await store.learn('n', [{ events: ev('a', 'b'), metadata: { src: ['a', 'x'], other: ['1'] } }], P);
        expect((await store.getPattern('n', name))!.metadata).toEqual({ src: ['a', 'x'], k: ['constant'], other: ['1'] });
      });

      it('adds the average of the learn emotives to each distinct symbol affinity', async () => {
        await store.learn('n', [{ events: ev('A', 'B'), emotives: [{ joy: 0.8 }, { joy: 0.4 }] }], P);
        await store.learn('n', [{ events: ev('B', 'C'), emotives: [{ joy: 2.0 }] }], P);
        const aff = await store.affinities('n');
        expect(aff.get('A')!.joy).toBeCloseTo(0.6, 12);
        expect(aff.get('B')!.joy).toBeCloseTo(2.6, 12);
        expect(aff.get('C')).toEqual({ joy: 2 });
        expect([...(await store.affinities('n', ['C', 'Q'])).keys()]).toEqual(['C']);
      });

      it('isolates nodes', async () => {
        await store.learn('n1', [{ events: ev('a', 'b') }], P);
        expect(await store.getPattern('n2', patternName(ev('a', 'b')))).toBeNull();
        expect(await store.patternsWithAnySymbol('n2', ['a'])).toEqual([]);
        expect((await store.totals('n2')).totalUniquePatterns).toBe(0);
        expect(await store.listNodes()).toEqual(['n1']);
      });

      it('clears one node and nothing else', async () => {
        await store.learn('n1', [{ events: ev('a', 'b'), emotives: [{ joy: 1 }] }], P);
        await store.learn('n2', [{ events: ev('a', 'b') }], P);
        await store.clearNode('n1');
        expect((await store.summary('n1')).patterns).toBe(0);
        expect(await store.patternsWithAnySymbol('n1', ['a'])).toEqual([]);
        expect((await store.affinities('n1')).size).toBe(0);
        expect(await store.totals('n1')).toMatchObject({ totalUniquePatterns: 0, distinctSymbols: 0 });
        expect((await store.summary('n2')).patterns).toBe(1);
        await store.learn('n1', [{ events: ev('a', 'b') }], P);
        expect((await store.patternsWithAnySymbol('n1', ['b'])).map((p) => p.frequency)).toEqual([1]);
      });
    });

    describe('reading', () => {
      const items: LearnItem[] = [
        { events: ev('the', 'cat', 'sat') },
        { events: ev('a', 'dog', 'ran') },
        { events: [['cat', 'the'], ['mat']] },
        { events: ev('dog', 'the') },
      ];
      beforeEach(async () => {
        await store.learn('n', items, P);
      });

      it('finds candidates through the symbol index, ordered by name', async () => {
        const found = await store.patternsWithAnySymbol('n', ['cat', 'nothing']);
        const expected = [items[0], items[2]].map((i) => patternName(i.events)).sort();
        expect(found.map((p) => p.name)).toEqual(expected);
        const the = await store.patternsWithAnySymbol('n', ['the']);
        expect(the).toHaveLength(3);
      });

      it('finds patterns by their first symbol only', async () => {
        expect((await store.patternsStartingWith('n', 'the')).map((p) => p.events)).toEqual([items[0].events]);
        expect((await store.patternsStartingWith('n', 'cat')).map((p) => p.events)).toEqual([items[2].events]);
        expect(await store.patternsStartingWith('n', 'mat')).toEqual([]);
      });

      it('reads many patterns by name and lists all of them in name order', async () => {
        const names = items.map((i) => patternName(i.events));
        const got = await store.getPatterns('n', [names[1], names[3], 'f'.repeat(40), 'not-a-name']);
        expect([...got.keys()].sort()).toEqual([names[1], names[3]].sort());
        const all: string[] = [];
        for await (const p of store.allPatterns('n')) all.push(p.name);
        expect(all).toEqual([...names].sort());
      });

      it('pages through more patterns than one page holds', async () => {
        const many = Array.from({ length: 2500 }, (_, i) => ({ events: ev(`x${i}`, 'y') }));
        await store.learn('big', many, P);
        let count = 0;
        let last = '';
        for await (const p of store.allPatterns('big')) {
          expect(p.name > last).toBe(true);
          last = p.name;
          count++;
        }
        expect(count).toBe(2500);
        expect((await store.summary('big')).totalFrequency).toBe(2500);
      });

      it('stores precomputed metrics on a pattern', async () => {
        const name = patternName(items[0].events);
        const m = { entropy: 1.5, normalized_entropy: 0.5, global_normalized_entropy: 0.25, tf_vector: { the: 1 / 3 } };
        await store.savePrecomputed('n', new Map([[name, m]]));
        expect((await store.getPattern('n', name))!.precomputed).toEqual(m);
      });
    });

    describe('vectors', () => {
      it('keeps the first stored components of a name', async () => {
        await store.addVectors('n', new Map([['VCTR|b', [0, 1]], ['VCTR|a', [1, 0]]]));
        await store.addVectors('n', new Map([['VCTR|a', [9, 9]]]));
        expect([...(await store.vectors('n'))]).toEqual([
          ['VCTR|a', [1, 0]],
          ['VCTR|b', [0, 1]],
        ]);
      });
    });

    describe('sessions', () => {
      it('stores, replaces, counts, expires and deletes sessions', async () => {
        await store.putSession({ id: 's1', nodeId: 'n', expiresAt: 1000, record: { stm: [['a']] } });
        await store.putSession({ id: 's2', nodeId: 'n', expiresAt: 5000, record: { stm: [] } });
        await store.putSession({ id: 's1', nodeId: 'n', expiresAt: 2000, record: { stm: [['a'], ['b']] } });
        expect(await store.getSession('s1')).toEqual({ id: 's1', nodeId: 'n', expiresAt: 2000, record: { stm: [['a'], ['b']] } });
        expect(await store.countSessions()).toBe(2);
        expect(await store.purgeExpiredSessions(3000)).toBe(1);
        expect(await store.getSession('s1')).toBeNull();
        expect(await store.deleteSession('s2')).toBe(true);
        expect(await store.deleteSession('s2')).toBe(false);
        expect(await store.countSessions()).toBe(0);
      });
    });

    // ── Server: deferred vectors ──
    describe('deferred vectors', () => {
      it('keeps deferred vectors in observation order until they are indexed', async () => {
        await store.deferVector('n', 'VCTR|b', [0, 1]);
        await store.deferVector('n', 'VCTR|a', [1, 0]);
        await store.deferVector('n', 'VCTR|b', [9, 9]);
        await store.deferVector('other', 'VCTR|c', [1, 1]);
        expect([...(await store.deferredVectors('n'))]).toEqual([
          ['VCTR|b', [0, 1]],
          ['VCTR|a', [1, 0]],
        ]);
        await store.indexDeferredVectors('n', new Map([['VCTR|a', [1, 0]]]));
        expect((await store.deferredVectors('n')).size).toBe(0);
        expect([...(await store.vectors('n'))]).toEqual([['VCTR|a', [1, 0]]]);
        expect([...(await store.deferredVectors('other')).keys()]).toEqual(['VCTR|c']);
      });

      it('forgets deferred vectors even when none is indexed', async () => {
        await store.deferVector('n', 'VCTR|a', [1, 0]);
        await store.indexDeferredVectors('n', new Map());
        expect((await store.deferredVectors('n')).size).toBe(0);
        expect((await store.vectors('n')).size).toBe(0);
      });
    });

    // ── Server: session expiry ──
    describe('session expiry', () => {
      it('moves the expiry of a stored session only', async () => {
        await store.putSession({ id: 's', nodeId: 'n', expiresAt: 1000, record: { stm: [['a']] } });
        expect(await store.touchSession('s', 5000)).toBe(true);
        expect(await store.getSession('s')).toEqual({ id: 's', nodeId: 'n', expiresAt: 5000, record: { stm: [['a']] } });
        expect(await store.touchSession('missing', 5000)).toBe(false);
        expect(await store.getSession('missing')).toBeNull();
      });
    });

    // ── Client and remote training: idempotency records, pattern pages ──
    describe('idempotency records', () => {
      it('keeps the first reply recorded under a key, and purges old records', async () => {
        const record = { key: 'k1', scope: 'POST /x', status: 200, contentType: 'application/json', body: '{"a":1.0}', createdAt: 1000 };
        expect(await store.getIdempotency('k1')).toBeNull();
        expect(await store.putIdempotency(record)).toBe(true);
        expect(await store.putIdempotency({ ...record, body: '{"a":2}', createdAt: 3000 })).toBe(false);
        expect(await store.getIdempotency('k1')).toEqual(record);
        await store.putIdempotency({ ...record, key: 'k2', createdAt: 5000 });
        expect(await store.purgeIdempotency(2000)).toBe(1);
        expect(await store.getIdempotency('k1')).toBeNull();
        expect((await store.getIdempotency('k2'))!.createdAt).toBe(5000);
      });
    });

    describe('pattern pages', () => {
      it('pages through a node in name order, resuming after a name', async () => {
        const items = Array.from({ length: 25 }, (_, i) => ({ events: ev(`p${i}`, 'q') }));
        await store.learn('n', items, P);
        await store.learn('n', [items[3]], P);
        const names = items.map((i) => patternName(i.events)).sort();
        const seen: { name: string; frequency: number }[] = [];
        let after = '';
        for (;;) {
          const page = await store.patternCountsPage('n', after, 10);
          seen.push(...page);
          if (page.length < 10) break;
          after = page[page.length - 1].name;
        }
        expect(seen.map((p) => p.name)).toEqual(names);
        expect(seen.find((p) => p.name === patternName(items[3].events))!.frequency).toBe(2);
        expect(await store.patternCountsPage('missing', '', 10)).toEqual([]);
      });
    });

    describe('pattern log', () => {
      it('lists a node’s patterns after a row id, an earlier learn’s before a later one’s, with the count and probes', async () => {
        const items = ['a', 'b', 'c', 'd', 'e'].map((s) => ({ events: ev(s, 'z') }));
        await store.learn('n', items.slice(0, 3), P);
        await store.learn('other', [{ events: ev('q', 'r') }], P);
        await store.learn('n', [...items.slice(3), items[0]], P);
        const all = await store.patternLog('n', 0, 100);
        // Within one learn, the order of new patterns is the store's.
        const names = (list: { events: Event[] }[]) => list.map((i) => patternName(i.events)).sort();
        expect(all.rows.slice(0, 3).map((r) => r.name).sort()).toEqual(names(items.slice(0, 3)));
        expect(all.rows.slice(3).map((r) => r.name).sort()).toEqual(names(items.slice(3)));
        for (const row of all.rows) expect(row.events).toEqual(items.find((i) => patternName(i.events) === row.name)!.events);
        expect(all.rows.every((r, k) => k === 0 || r.id > all.rows[k - 1].id)).toBe(true);
        expect(all.counters).toEqual({ totalSymbolsInPatternsFrequencies: 12, totalPatternFrequencies: 5, totalUniquePatterns: 5 });
        const page = await store.patternLog('n', all.rows[1].id, 2, [all.rows[0].id, all.rows[4].id, 10 ** 9]);
        expect(page.rows.map((r) => r.name)).toEqual(all.rows.slice(2, 4).map((r) => r.name));
        expect(page.probes).toEqual(new Map([[all.rows[0].id, all.rows[0].name], [all.rows[4].id, all.rows[4].name]]));
        expect((await store.patternLog('missing', 0, 10)).rows).toEqual([]);
        expect((await store.patternLog('missing', 0, 10)).counters.totalUniquePatterns).toBe(0);
      });

      it('shows a cleared node as empty, and its new rows after relearning', async () => {
        await store.learn('n', [{ events: ev('a', 'b') }, { events: ev('c', 'd') }], P);
        const before = await store.patternLog('n', 0, 10);
        await store.clearNode('n');
        const cleared = await store.patternLog('n', 0, 10, [before.rows[0].id]);
        expect([cleared.rows, cleared.counters.totalUniquePatterns, cleared.probes.size]).toEqual([[], 0, 0]);
        await store.learn('n', [{ events: ev('e', 'f') }], P);
        const after = await store.patternLog('n', 0, 10);
        expect([after.rows.map((r) => r.name), after.counters.totalUniquePatterns]).toEqual([[patternName(ev('e', 'f'))], 1]);
      });

      it('carries each row’s frequency and whether it is annotated, and counts the changes to stored patterns', async () => {
        await store.learn('n', [{ events: ev('a', 'b') }, { events: ev('a', 'b') }, { events: ev('c', 'd') }], P);
        const first = await store.patternLog('n', 0, 10);
        // Rows of one learn come in the store's order.
        const byName = (rows: { name: string }[]) => [...rows].sort((x, y) => (x.name < y.name ? -1 : 1));
        const [ab, cd, ef] = [ev('a', 'b'), ev('c', 'd'), ev('e', 'f')].map((e) => patternName(e));
        const state = async () => {
          const rows = (await store.patternLog('n', 0, 10)).rows;
          return Object.fromEntries(rows.map((r) => [r.name, [r.frequency, r.annotated]]));
        };
        expect(byName(first.rows).map((r) => r.name)).toEqual([ab, cd].sort());
        expect(await state()).toEqual({ [ab]: [2, false], [cd]: [1, false] });
        // Learning new patterns only changes no stored one.
        await store.learn('n', [{ events: ev('e', 'f') }], P);
        expect((await store.patternLog('n', 0, 10)).changes).toBe(first.changes);
        // A relearn does, and so do emotives, stored metrics and a clear; another node's do not.
        await store.learn('n', [{ events: ev('c', 'd') }], P);
        const relearned = await store.patternLog('n', 0, 10);
        expect(relearned.changes).toBeGreaterThan(first.changes);
        expect(await state()).toEqual({ [ab]: [2, false], [cd]: [2, false], [ef]: [1, false] });
        await store.learn('m', [{ events: ev('a', 'b') }, { events: ev('a', 'b') }], P);
        expect((await store.patternLog('n', 0, 10)).changes).toBe(relearned.changes);
        await store.learn('n', [{ events: ev('e', 'f'), emotives: [{ joy: 1 }] }], P);
        const annotated = await store.patternLog('n', 0, 10);
        expect(annotated.changes).toBeGreaterThan(relearned.changes);
        expect(await state()).toEqual({ [ab]: [2, false], [cd]: [2, false], [ef]: [2, true] });
        await store.savePrecomputed('n', new Map([[patternName(ev('a', 'b')), { entropy: 1, normalized_entropy: 1, global_normalized_entropy: 1, tf_vector: { a: 0.5, b: 0.5 } }]]));
        const stored = await store.patternLog('n', 0, 10);
        expect(stored.changes).toBeGreaterThan(annotated.changes);
        expect(await state()).toEqual({ [ab]: [2, true], [cd]: [2, false], [ef]: [2, true] });
        await store.clearNode('n');
        expect((await store.patternLog('n', 0, 10)).changes).toBeGreaterThan(stored.changes);
      });

      it('reads the annotations of a node’s patterns by row id', async () => {
        await store.learn('n', [{ events: ev('a', 'b'), emotives: [{ joy: 1 }] }, { events: ev('c', 'd') }, { events: ev('a', 'b') }], P);
        await store.learn('m', [{ events: ev('x', 'y') }], P);
        const [ab, cd] = (await store.patternLog('n', 0, 10)).rows;
        const [xy] = (await store.patternLog('m', 0, 10)).rows;
        const read = await store.patternAnnotations('n', [cd.id, ab.id, xy.id, 10 ** 9]);
        expect([...read.keys()].sort((a, b) => a - b)).toEqual([ab.id, cd.id].sort((a, b) => a - b));
        expect(read.get(ab.id)).toEqual({ name: ab.name, frequency: 2, emotives: [{ joy: 1 }] });
        expect(read.get(cd.id)).toEqual({ name: cd.name, frequency: 1, emotives: [] });
        expect((await store.patternAnnotations('missing', [ab.id])).size).toBe(0);
      });
    });

    describe('ledger', () => {
      const doc = (key: string, seq: number, symbols: string[]): DocumentCommit => ({
        key,
        seq,
        tokens: symbols.length,
        nodes: [
          { kbId: 'r/node0', items: [{ events: ev(...symbols) }] },
          { kbId: 'r/node1', items: [{ events: ev(patternName(ev(...symbols)), 'z') }] },
        ],
      });

      it('applies each document exactly once, across calls and within one call', async () => {
        await store.createRun('r', 'h1', { levels: 2 });
        const first = await store.commitDocuments('r', [doc('c:0', 0, ['a', 'b']), doc('c:1', 1, ['b', 'c'])], P);
        expect(first).toEqual(['applied', 'applied']);
        const again = await store.commitDocuments('r', [doc('c:1', 1, ['b', 'c']), doc('c:2', 2, ['a', 'b']), doc('c:2', 2, ['a', 'b'])], P);
        expect(again).toEqual(['duplicate', 'applied', 'duplicate']);
        expect((await store.getPattern('r/node0', patternName(ev('a', 'b'))))!.frequency).toBe(2);
        expect((await store.getPattern('r/node0', patternName(ev('b', 'c'))))!.frequency).toBe(1);
        expect(await store.getRun('r')).toMatchObject({ docs: 3, tokens: 6, configHash: 'h1', config: { levels: 2 } });
      });

      it('rolls back the whole call when one document is bad', async () => {
        await store.createRun('r', 'h', {});
        const bad: DocumentCommit = { key: 'bad', seq: 1, tokens: 1, nodes: [{ kbId: 'r/node0', items: [{ events: [['x']] }] }] };
        await expect(store.commitDocuments('r', [doc('ok', 0, ['a', 'b']), bad], P)).rejects.toThrow();
        expect((await store.summary('r/node0')).patterns).toBe(0);
        expect(await store.commitDocuments('r', [doc('ok', 0, ['a', 'b'])], P)).toEqual(['applied']);
      });

      it('tracks the watermark and the keys applied above it', async () => {
        await store.createRun('r', 'h', {});
        expect(await store.ledgerState('r')).toEqual({ watermark: null, appliedAbove: [] });
        await store.commitDocuments('r', [doc('k0', 0, ['a', 'b']), doc('k1', 1, ['a', 'c'])], { ...P, watermark: { seq: 1, cursor: 'after-k1' } });
        await store.commitDocuments('r', [doc('k3', 3, ['c', 'd'])], P);
        expect(await store.ledgerState('r')).toEqual({ watermark: { seq: 1, cursor: 'after-k1' }, appliedAbove: [{ key: 'k3', seq: 3 }] });
      });

      it('refuses commits to a run that does not exist', async () => {
        await expect(store.commitDocuments('nope', [doc('k', 0, ['a', 'b'])], P)).rejects.toThrow(/unknown run/);
      });

      it('creates, lists and deletes runs', async () => {
        await store.createRun('b', 'h', {});
        await store.createRun('a', 'h', {});
        await expect(store.createRun('a', 'h', {})).rejects.toThrow();
        expect((await store.listRuns()).map((r) => r.run)).toEqual(['a', 'b']);
        await store.commitDocuments('a', [doc('k', 0, ['a', 'b'])], P);
        await store.deleteRun('a');
        expect(await store.getRun('a')).toBeNull();
        await store.createRun('a', 'h2', {});
        expect(await store.commitDocuments('a', [doc('k', 0, ['a', 'b'])], P)).toEqual(['applied']);
      });
    });
  });
}
