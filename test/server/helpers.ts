/**
 * Shared helpers of the server tests: an in-process app over a temporary store, raw JSON
 * requests, and the sessions most tests start from.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildServer, type ServerOptions } from '../../src/server/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';

/** An app over a fresh store; `close` removes everything. */
export interface TestApp {
  app: FastifyInstance;
  store: Store;
  dir: string;
  close(): Promise<void>;
  /** Sends a JSON body given as text (so `1.0` stays a float) or as a value. */
  post(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** Creates a session on `nodeId` and returns its id. */
  session(nodeId?: string, extra?: Record<string, unknown>): Promise<string>;
  /** Observes each event (strings only). */
  observe(sessionId: string, ...events: string[][]): Promise<void>;
}

let counter = 0;

/** Builds an in-process app over a temporary data directory. */
export async function testApp(options: Partial<ServerOptions> = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'kato-server-test-'));
  const store = openStore(dir);
  const app = await buildServer({ store, logLevel: false, ...options });
  const send = (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method,
      url,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  const t: TestApp = {
    app,
    store,
    dir,
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
    post: (url, body, headers) => send('POST', url, body, headers),
    get: (url, headers) => send('GET', url, undefined, headers),
    async session(nodeId = `test_node_${process.pid}_${counter++}`, extra = {}) {
      const res = await t.post('/sessions', { node_id: nodeId, ...extra });
      if (res.statusCode !== 200) throw new Error(`session creation failed: ${res.statusCode} ${res.body}`);
      return res.json().session_id as string;
    },
    async observe(sessionId, ...events) {
      for (const strings of events) {
        const res = await t.post(`/sessions/${sessionId}/observe`, { strings, vectors: [], emotives: {} });
        if (res.statusCode !== 200) throw new Error(`observe failed: ${res.statusCode} ${res.body}`);
      }
    },
  };
  return t;
}

/** Delete on the app. */
export function del(t: TestApp, url: string): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'DELETE', url });
}
