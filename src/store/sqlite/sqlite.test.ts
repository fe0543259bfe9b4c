import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../index.js';
import { storeContract } from '../store.contract.js';
import { patternName } from '../../engine/names.js';

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
});
