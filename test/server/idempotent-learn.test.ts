import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kbIdFor } from '../../src/engine/kb-id.js';
import { patternName } from '../../src/engine/names.js';
import { buildServer } from '../../src/server/app.js';
import { openStore } from '../../src/store/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kato-idempotent-learn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a keyed write resent after a crash between its learn and its reply', () => {
  it('learns the pattern once: the store holds the key in the learn transaction', async () => {
    const store = openStore(dir);
    const app = await buildServer({ store, logLevel: false });
    try {
      const created = (await app.inject({ method: 'POST', url: '/sessions', payload: { node_id: 'crash' } })).json();
      const sid = created.session_id as string;
      for (const s of ['a', 'b']) await app.inject({ method: 'POST', url: `/sessions/${sid}/observe`, payload: { strings: [s] } });
      const events = [['a'], ['b']];
      const kbId = kbIdFor('crash', 'kato');
      // The first attempt committed its learn, then the process died before saving the session and the reply.
      await store.learn(kbId, [{ events, emotives: [], metadata: {} }], { persistence: 5, writeKey: 'retry-1#0' });

      const resent = await app.inject({ method: 'POST', url: `/sessions/${sid}/learn`, headers: { 'idempotency-key': 'retry-1' }, payload: {} });
      expect(resent.statusCode).toBe(200);
      expect(resent.json().pattern_name).toBe(`PTRN|${patternName(events)}`);
      expect((await store.getPattern(kbId, patternName(events)))!.frequency).toBe(1);
      expect((await app.inject({ url: `/sessions/${sid}/stm` })).json().stm).toEqual([]);

      // A new write (another key) learns again.
      for (const s of ['a', 'b']) await app.inject({ method: 'POST', url: `/sessions/${sid}/observe`, payload: { strings: [s] } });
      await app.inject({ method: 'POST', url: `/sessions/${sid}/learn`, headers: { 'idempotency-key': 'retry-2' }, payload: {} });
      expect((await store.getPattern(kbId, patternName(events)))!.frequency).toBe(2);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
