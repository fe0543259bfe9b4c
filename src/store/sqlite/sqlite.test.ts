import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { databasePath, openStore } from '../index.js';
import { openSqliteStore } from './index.js';
import { SCHEMA_VERSION } from './schema.js';
import { storeContract } from '../store.contract.js';
import { patternName } from '../../engine/names.js';
import type { LearnItem } from '../../engine/types.js';
import type { Store } from '../types.js';

const root = mkdtempSync(join(tmpdir(), 'kato-sqlite-'));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

storeContract('sqlite', async () => openStore(join(root, `kb${n++}`)));

describe('sqlite store on disk', () => {
  it('keeps the KB, sessions and ledger across reopen', async () => {
    const dir = join(root, 'reopen');
    const a = openStore(dir);
    await a.learn('n', [{ events: [['a'], ['b']] }], { persistence: 5 });
    await a.putSession({ id: 's', nodeId: 'n', expiresAt: 1, record: { stm: [['x']] } });
    await a.createRun('r', 'h', {});
    await a.close();
    const b = openStore(dir);
    expect((await b.getPattern('n', patternName([['a'], ['b']])))!.frequency).toBe(1);
    expect((await b.patternsWithAnySymbol('n', ['b'])).length).toBe(1);
    expect((await b.getSession('s'))!.record).toEqual({ stm: [['x']] });
    expect((await b.getRun('r'))!.configHash).toBe('h');
    await b.close();
  });

  it('never loses a count when two connections learn the same pattern', async () => {
    const dir = join(root, 'concurrent');
    const a = openStore(dir);
    const b = openStore(dir);
    const item = { events: [['a'], ['b']] };
    const writes = [];
    for (let i = 0; i < 50; i++) writes.push(a.learn('n', [item], { persistence: 5 }), b.learn('n', [item], { persistence: 5 }));
    await Promise.all(writes);
    expect((await a.getPattern('n', patternName(item.events)))!.frequency).toBe(100);
    expect((await b.symbolStats('n', ['a'])).get('a')).toEqual({ freq: 100, pmf: 1 });
    await a.close();
    await b.close();
  });

  // The learn path remembers each node's symbol ids and updates symbol rows by id; these check it
  // never updates the wrong row when the ids it remembers went stale.
  const P = { persistence: 5 };
  const names = (records: { name: string }[]) => records.map((r) => r.name).sort();

  it('forgets a node’s symbol ids when the node is cleared, on this connection', async () => {
    const store = openStore(join(root, 'clear-one'));
    await store.learn('n', [{ events: [['a'], ['b']] }], P);
    await store.clearNode('n');
    await store.learn('n', [{ events: [['b'], ['c']] }], P);
    expect(await store.allSymbolStats('n')).toEqual(new Map([['b', { freq: 1, pmf: 1 }], ['c', { freq: 1, pmf: 1 }]]));
    expect(names(await store.patternsWithAnySymbol('n', ['b']))).toEqual([patternName([['b'], ['c']])]);
    expect(await store.patternsWithAnySymbol('n', ['a'])).toEqual([]);
    expect(names(await store.patternsStartingWith('n', 'b'))).toEqual([patternName([['b'], ['c']])]);
    await store.close();
  });

  it('forgets a node’s symbol ids when another connection cleared the node and reused the ids', async () => {
    const dir = join(root, 'clear-two');
    const a = openStore(dir);
    const b = openStore(dir);
    await a.learn('n', [{ events: [['a'], ['b']] }], P);
    await b.clearNode('n');
    // The cleared rows' ids go to other symbols: c, then a.
    await b.learn('n', [{ events: [['c'], ['a']] }], P);
    await a.learn('n', [{ events: [['a'], ['b']] }], P);
    const expected = new Map([
      ['a', { freq: 2, pmf: 2 }],
      ['b', { freq: 1, pmf: 1 }],
      ['c', { freq: 1, pmf: 1 }],
    ]);
    expect(await a.allSymbolStats('n')).toEqual(expected);
    expect(await b.allSymbolStats('n')).toEqual(expected);
    expect(names(await a.patternsStartingWith('n', 'a'))).toEqual([patternName([['a'], ['b']])]);
    expect(names(await a.patternsStartingWith('n', 'c'))).toEqual([patternName([['c'], ['a']])]);
    expect(names(await a.patternsWithAnySymbol('n', ['b']))).toEqual([patternName([['a'], ['b']])]);
    await a.close();
    await b.close();
  });

  it('finds the symbols another connection added to a node this one knows all the symbols of', async () => {
    const dir = join(root, 'add-two');
    const a = openStore(dir);
    const b = openStore(dir);
    await a.learn('n', [{ events: [['a'], ['b']] }], P);
    await b.learn('n', [{ events: [['c'], ['d']] }], P);
    await a.learn('n', [{ events: [['c'], ['e']] }], P);
    expect(await b.allSymbolStats('n')).toEqual(
      new Map([
        ['a', { freq: 1, pmf: 1 }],
        ['b', { freq: 1, pmf: 1 }],
        ['c', { freq: 2, pmf: 2 }],
        ['d', { freq: 1, pmf: 1 }],
        ['e', { freq: 1, pmf: 1 }],
      ]),
    );
    await a.close();
    await b.close();
  });

  it('reads all of a node’s symbol ids when a learn brings many it does not know', async () => {
    const dir = join(root, 'load-ids');
    const a = openStore(dir);
    const b = openStore(dir);
    const pairs = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, k) => ({ events: [[`x${from + k}`], [`y${from + k}`]] }));
    await a.learn('n', [{ events: [['x0'], ['z']] }], P);
    // b adds 6,000 symbols a has never seen; a then learns 3,000 of them with 6,000 new ones.
    await b.learn('n', pairs(1, 3001), P);
    await a.learn('n', [...pairs(1501, 4501), ...pairs(1, 2)], P);
    const stats = await b.allSymbolStats('n');
    expect(stats.size).toBe(9001 + 1);
    expect(stats.get('x0')).toEqual({ freq: 1, pmf: 1 });
    expect(stats.get('x1')).toEqual({ freq: 2, pmf: 1 });
    expect(stats.get('x1500')).toEqual({ freq: 1, pmf: 1 });
    expect(stats.get('y2000')).toEqual({ freq: 2, pmf: 1 });
    expect(stats.get('y4500')).toEqual({ freq: 1, pmf: 1 });
    await a.close();
    await b.close();
  });

  it('remembers no id of a symbol or node whose insert was rolled back', async () => {
    const store = openStore(join(root, 'rollback'));
    await store.createRun('r', 'h', {});
    const good = { kbId: 'r/node0', items: [{ events: [['x'], ['y']] }] };
    const bad = { kbId: 'r/node1', items: [{ events: [['z']] }] };
    await expect(store.commitDocuments('r', [{ key: 'k', seq: 0, tokens: 2, nodes: [good, bad] }], P)).rejects.toThrow();
    // Another symbol takes the rolled-back ids; then the first symbols are learned for real.
    await store.learn('r/node0', [{ events: [['w'], ['v']] }], P);
    await store.learn('r/node1', [{ events: [['z'], ['w']] }], P);
    await store.learn('r/node0', [{ events: [['x'], ['y']] }], P);
    expect(await store.allSymbolStats('r/node0')).toEqual(
      new Map(['v', 'w', 'x', 'y'].map((s) => [s, { freq: 1, pmf: 1 }])),
    );
    expect(names(await store.patternsWithAnySymbol('r/node0', ['w']))).toEqual([patternName([['w'], ['v']])]);
    expect(names(await store.patternsStartingWith('r/node0', 'x'))).toEqual([patternName([['x'], ['y']])]);
    expect((await store.totals('r/node1')).totalUniquePatterns).toBe(1);
    expect(await store.listNodes()).toEqual(['r/node0', 'r/node1']);
    await store.close();
  });

  it('learns any sequence of batches (repeats, stored names, annotated items between) as one item per call would', async () => {
    const pool: LearnItem[] = [];
    for (let i = 0; i < 40; i++) pool.push({ events: [[`p${i % 13}`], [`q${i % 7}`], [`r${i}`]] });
    // Mostly plain items (the training path), with an annotated one now and then.
    const joy = fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) });
    const item = fc.record({ pick: fc.nat(pool.length - 1), joy });
    const calls = fc.array(fc.array(item, { minLength: 1, maxLength: 100, size: 'medium' }), { minLength: 1, maxLength: 4 });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(calls, async (sequence) => {
        const store = openStore(join(root, `sequence${run++}`));
        try {
          const toItem = ({ pick, joy }: { pick: number; joy: number | null }): LearnItem =>
            joy === null ? pool[pick] : { ...pool[pick], emotives: [{ joy }] };
          const batched = [];
          const single = [];
          for (const call of sequence) {
            const items = call.map(toItem);
            batched.push(...(await store.learn('many', items, P)));
            for (const one of items) single.push(...(await store.learn('one', [one], P)));
          }
          expect(batched).toEqual(single);
          const dump = async (kb: string) => {
            const patterns = [];
            for await (const p of store.allPatterns(kb)) patterns.push(p);
            return { patterns, symbols: await store.allSymbolStats(kb), totals: await store.totals(kb), affinity: await store.affinities(kb) };
          };
          expect(await dump('many')).toEqual(await dump('one'));
        } finally {
          await store.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('brings a version 2 database up to date: its FTS5 symbol index is dropped, its patterns kept', async () => {
    const dir = join(root, 'v2');
    const store = openSqliteStore(databasePath(dir));
    await store.learn('n', [{ events: [['a'], ['b']] }], P);
    store.db.exec(`CREATE VIRTUAL TABLE symbol_index USING fts5 (tokens, content = '', contentless_delete = 1, detail = none)`);
    store.db.exec('ALTER TABLE nodes DROP COLUMN changes');
    store.db.prepare("UPDATE meta SET value = '2' WHERE key = 'schema_version'").run();
    await store.close();
    const reopened = openSqliteStore(databasePath(dir));
    const tables = reopened.db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'symbol_index%'").all();
    expect(tables).toEqual([]);
    expect(reopened.db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get()).toEqual({ value: String(SCHEMA_VERSION) });
    expect(names(await reopened.patternsStartingWith('n', 'a'))).toEqual([patternName([['a'], ['b']])]);
    await reopened.close();
  });

  it('reads a version 3 database, whose counts are all in the pattern and symbol rows, and counts on from them', async () => {
    const dir = join(root, 'v3');
    const ab = [['a'], ['b']];
    const store = openSqliteStore(databasePath(dir));
    await store.learn('n', [{ events: ab }, { events: [['a'], ['c']] }], P);
    // As version 3 stored a pattern learned 3 times and its symbols: counts in the rows only.
    store.db.exec(`UPDATE patterns SET frequency = 3 WHERE name = unhex('${patternName(ab)}')`);
    store.db.exec(`UPDATE symbols SET freq = freq + 2 WHERE symbol IN ('a', 'b')`);
    store.db.exec('DROP TABLE pattern_increments; DROP TABLE symbol_increments; ALTER TABLE nodes DROP COLUMN changes');
    store.db.prepare("UPDATE meta SET value = '3' WHERE key = 'schema_version'").run();
    await store.close();
    const reopened = openSqliteStore(databasePath(dir));
    try {
      expect(reopened.db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get()).toEqual({ value: String(SCHEMA_VERSION) });
      expect((await reopened.getPattern('n', patternName(ab)))?.frequency).toBe(3);
      const [outcome] = await reopened.learn('n', [{ events: ab }], P);
      expect(outcome).toEqual({ name: patternName(ab), frequency: 4, created: false });
      expect((await reopened.getPattern('n', patternName(ab)))?.frequency).toBe(4);
      expect(await reopened.patternCountsPage('n', '', 10)).toContainEqual({ name: patternName(ab), frequency: 4 });
      expect((await reopened.summary('n')).totalFrequency).toBe(5);
      const stats = await reopened.symbolStats('n', ['a', 'b', 'c']);
      expect(Object.fromEntries(stats)).toEqual({ a: { freq: 5, pmf: 2 }, b: { freq: 4, pmf: 1 }, c: { freq: 1, pmf: 1 } });
    } finally {
      await reopened.close();
    }
  });

  it('reads a version 4 database, which counted no changes to stored patterns, and counts them from there', async () => {
    const dir = join(root, 'v4');
    const ab = [['a'], ['b']];
    const store = openSqliteStore(databasePath(dir));
    await store.learn('n', [{ events: ab }, { events: ab }], P);
    store.db.exec('ALTER TABLE nodes DROP COLUMN changes');
    store.db.prepare("UPDATE meta SET value = '4' WHERE key = 'schema_version'").run();
    await store.close();
    const reopened = openSqliteStore(databasePath(dir));
    try {
      expect(reopened.db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get()).toEqual({ value: String(SCHEMA_VERSION) });
      const before = await reopened.patternLog('n', 0, 10);
      expect(before.changes).toBe(0);
      expect(before.rows.map((r) => r.frequency)).toEqual([2]);
      await reopened.learn('n', [{ events: ab }], P);
      const after = await reopened.patternLog('n', 0, 10);
      expect(after.changes).toBe(1);
      expect(after.rows.map((r) => r.frequency)).toEqual([3]);
    } finally {
      await reopened.close();
    }
  });

  it('clears a node with its increments, so row ids given again start from their own counts', async () => {
    const store = openSqliteStore(databasePath(join(root, 'clear-increments')));
    try {
      const ab = [['a'], ['b']];
      await store.learn('n', [{ events: ab }], P);
      await store.learn('n', [{ events: ab }], P);
      await store.clearNode('n');
      expect(store.db.prepare('SELECT count(*) AS n FROM pattern_increments').get()).toEqual({ n: 0 });
      expect(store.db.prepare('SELECT count(*) AS n FROM symbol_increments').get()).toEqual({ n: 0 });
      // The cleared rows' ids are given to the new rows: they start from the counts they are learned with.
      const [outcome] = await store.learn('n', [{ events: [['x'], ['y']] }], P);
      expect(outcome.frequency).toBe(1);
      expect((await store.getPattern('n', outcome.name))?.frequency).toBe(1);
      expect(Object.fromEntries(await store.symbolStats('n', ['x', 'y']))).toEqual({ x: { freq: 1, pmf: 1 }, y: { freq: 1, pmf: 1 } });
    } finally {
      await store.close();
    }
  });

  it('learns a large batch exactly as the same items learned one call at a time', async () => {
    const store = openStore(join(root, 'batched'));
    // 300 items over 150 symbols: more rows than one multi-row statement holds, repeats included.
    const items: LearnItem[] = [];
    for (let i = 0; i < 300; i++) {
      const symbols = [`s${i % 150}`, `s${(i * 7) % 149}`, `s${(i * 13 + 1) % 150}`, `s${i % 150}`];
      items.push({ events: i % 5 === 0 ? [symbols.slice(0, 2), symbols.slice(2)] : symbols.map((s) => [s]) });
    }
    items.push(items[10], items[11], items[10]);
    const batched = await store.learn('many', items, P);
    const single = [];
    for (const item of items) single.push(...(await store.learn('one', [item], P)));
    expect(batched).toEqual(single);
    const dump = async (kb: string, s: Store) => {
      const patterns = [];
      for await (const p of s.allPatterns(kb)) patterns.push(p);
      const startingWith = [];
      for (let i = 0; i < 150; i += 17) startingWith.push(names(await s.patternsStartingWith(kb, `s${i}`)));
      return {
        patterns,
        symbols: await s.allSymbolStats(kb),
        totals: await s.totals(kb),
        any: names(await s.patternsWithAnySymbol(kb, ['s3', 's77', 's149'])),
        startingWith,
      };
    };
    const many = await dump('many', store);
    expect(many.patterns.length).toBeGreaterThan(150);
    expect(many).toEqual(await dump('one', store));
    await store.close();
  });
});
