import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { call, killAllServers, startServerProcess } from './process-helpers.js';

const root = mkdtempSync(join(tmpdir(), 'kato-serve-'));
afterEach(async () => {
  await killAllServers();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `data${n++}`);

/** Polls `condition` until it holds (fails the test after 30 s). */
async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached in 30 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The next message of a websocket, as text. */
function nextMessage(ws: WebSocket, seen: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no websocket message after ${JSON.stringify(seen)}`)), 20_000);
    ws.addEventListener(
      'message',
      (event) => {
        clearTimeout(timer);
        seen.push(String(event.data));
        resolve(String(event.data));
      },
      { once: true },
    );
  });
}

describe('kato serve as a process', () => {
  it('says when it starts on a data directory that holds no knowledge base yet', async () => {
    const dir = freshDir();
    const first = await startServerProcess(dir);
    expect(first.output()).toContain(`(new empty data dir ${dir},`);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const again = await startServerProcess(dir);
    expect(again.output()).toContain(`(data dir ${dir},`);
    expect(again.output()).not.toContain('new empty');
  });

  it('answers every route of the KATO API over HTTP', async () => {
    const server = await startServerProcess(freshDir(), [], { SERVICE_NAME: 'kato' });
    const u = server.url;
    expect((await call(`${u}/`)).body.service).toBe('KATO API');
    expect((await call(`${u}/health`)).body.status).toBe('healthy');
    expect((await call(`${u}/status`)).body.base_processor_id).toBe('kato');

    const created = await call(`${u}/sessions`, 'POST', { node_id: 'test_proc', config: { recall_threshold: 0.1 } });
    expect(created.status).toBe(200);
    const sid = created.body.session_id as string;
    const s = `${u}/sessions/${sid}`;
    expect((await call(`${u}/sessions/count`)).body.active_session_count).toBe(1);
    expect((await call(s)).body.node_id).toBe('test_proc');
    expect((await call(`${s}/exists`)).body.exists).toBe(true);
    expect((await call(`${s}/config`, 'POST', { config: { max_predictions: 50 } })).body.status).toBe('okay');
    expect((await call(`${s}/config`)).body.config.max_predictions).toBe(50);
    expect((await call(`${s}/extend?ttl_seconds=120`, 'POST')).body.status).toBe('extended');

    for (const strings of [['hello'], ['world'], ['test']]) {
      const observed = await call(`${s}/observe`, 'POST', { strings, emotives: { joy: 0.5 }, metadata: { src: 'p' } });
      expect(observed.status).toBe(200);
      expect(observed.headers.get('x-session-id')).toBe(sid);
      expect(observed.headers.get('x-trace-id')).toMatch(/^kato-/);
    }
    expect((await call(`${s}/stm`)).body.stm).toEqual([['hello'], ['world'], ['test']]);
    expect((await call(`${s}/percept-data`)).body.percept_data.strings).toEqual(['test']);
    const learned = await call(`${s}/learn`, 'POST', {});
    expect(learned.body.pattern_name).toBe('PTRN|386fbb12926e8e015a1483990df913e8410f94ce');
    const sequence = await call(`${s}/observe-sequence`, 'POST', { observations: [{ strings: ['hello'] }, { strings: ['world'] }] });
    expect(sequence.body.status).toBe('completed');
    const predictions = await call(`${s}/predictions`);
    expect(predictions.body.predictions[0].name).toBe('386fbb12926e8e015a1483990df913e8410f94ce');
    expect(predictions.text).toContain('"bayesian_posterior":1.0');
    expect((await call(`${s}/cognition-data`)).body.cognition_data.predictions.length).toBe(1);
    expect((await call(`${u}/pattern/${encodeURIComponent(learned.body.pattern_name)}?node_id=test_proc`)).body.pattern.pattern.frequency).toBe(1);
    expect((await call(`${u}/symbols/affinity`, 'GET', undefined, { 'x-test-id': 'proc' })).body.affinities.hello.joy).toBe(0.5);
    expect((await call(`${u}/symbols/hello/affinity?node_id=test_proc`)).body.affinity).toEqual({ joy: 0.5 });
    expect((await call(`${u}/symbols/stats?node_id=test_proc`)).body.symbols.world.frequency).toBe(1);
    expect((await call(`${s}/finalize-training`, 'POST')).body.patterns_processed).toBe(1);
    expect((await call(`${s}/clear-stm`, 'POST')).body.status).toBe('cleared');
    expect((await call(`${s}/clear-all`, 'POST')).body.scope).toBe('all');
    expect((await call(`${u}/percept-data`)).body.warning).toContain('deprecated');
    expect((await call(`${u}/cognition-data`)).body.warning).toContain('deprecated');

    expect((await call(`${u}/metrics`)).body.performance.total_requests).toBeGreaterThan(10);
    expect((await call(`${u}/metrics/prometheus`)).text).toContain('kato_http_requests_total');
    expect([200, 404]).toContain((await call(`${u}/metrics/response_time`)).status);
    expect((await call(`${u}/stats`)).body.time_range_minutes).toBe(10);
    for (const path of ['/concurrency', '/cache/stats', '/distributed-stm/stats', '/connection-pools']) expect((await call(`${u}${path}`)).status).toBe(200);
    expect((await call(`${u}/cache/invalidate`, 'POST')).status).toBe(200);
    expect((await call(`${u}/docs`)).status).toBe(200);
    expect((await call(`${u}/openapi.json`)).body.openapi).toMatch(/^3\./);
    expect((await call(`${u}/gene/INVALID_GENE`)).status).toBe(404);

    expect((await call(s, 'DELETE')).body.status).toBe('deleted');
    expect((await call(`${s}/stm`)).status).toBe(404);
    expect((await call(`${u}/sessions/count`)).body.active_session_count).toBe(0);
  });

  it('streams events over WS /ws/events', async () => {
    const server = await startServerProcess(freshDir());
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws/events`);
    const seen: string[] = [];
    const snapshot = JSON.parse(await nextMessage(ws, seen));
    expect(snapshot).toMatchObject({ event_type: 'state.snapshot', data: { active_sessions: 0, system_status: 'healthy' } });
    const pong = nextMessage(ws, seen);
    ws.send('ping');
    expect(await pong).toBe('pong');
    const createdEvent = nextMessage(ws, seen);
    const sid = (await call(`${server.url}/sessions`, 'POST', { node_id: 'ws' })).body.session_id;
    expect(JSON.parse(await createdEvent)).toMatchObject({ event_type: 'session.created', data: { session_id: sid, node_id: 'ws' } });
    const destroyedEvent = nextMessage(ws, seen);
    await call(`${server.url}/sessions/${sid}`, 'DELETE');
    expect(JSON.parse(await destroyedEvent)).toMatchObject({ event_type: 'session.destroyed', data: { session_id: sid, reason: 'explicit_delete' } });
    ws.close();
  });

  it('continues every session after kill -9 and a restart on the same data directory', async () => {
    const dir = freshDir();
    const first = await startServerProcess(dir);
    const sid = (await call(`${first.url}/sessions`, 'POST', { node_id: 'crash', config: { max_pattern_length: 4, recall_threshold: 0.3 } })).body.session_id;
    const s1 = `${first.url}/sessions/${sid}`;
    await call(`${s1}/observe`, 'POST', '{"strings": ["a"], "emotives": {"joy": 1.0}, "metadata": {"ratio": 1.0}}');
    await call(`${s1}/observe`, 'POST', { strings: ['b'], vectors: [[1, 0]], emotives: { joy: 0.5 } });
    const before = (await call(`${s1}/stm`)).body.stm;
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    const second = await startServerProcess(dir);
    const s2 = `${second.url}/sessions/${sid}`;
    expect((await call(`${s2}/stm`)).body.stm).toEqual(before);
    expect((await call(`${s2}/config`)).body.config).toMatchObject({ max_pattern_length: 4, recall_threshold: 0.3 });
    expect((await call(`${s2}/percept-data`)).body.percept_data.emotives).toEqual({ joy: 0.75 });
    const next = await call(`${s2}/observe`, 'POST', { strings: ['c'] });
    expect(next.body.time).toBe(3);
    const learned = (await call(`${s2}/learn`, 'POST')).body.pattern_name;
    const pattern = (await call(`${second.url}/pattern/${encodeURIComponent(learned)}?node_id=crash`)).body.pattern.pattern;
    expect(pattern.emotives).toEqual([{ joy: 1 }, { joy: 0.5 }]);
    expect(pattern.metadata).toEqual({ ratio: ['1.0'] });
    // The vector observed before the crash was deferred in the store and is indexed by this learn.
    await call(`${s2}/observe`, 'POST', { vectors: [[1, 0.1]] });
    expect((await call(`${s2}/stm`)).body.stm[0]).toHaveLength(2);
  });

  it('on SIGTERM stops accepting, completes in-flight requests and exits 0', async () => {
    const dir = freshDir();
    const server = await startServerProcess(dir);
    const sid = (await call(`${server.url}/sessions`, 'POST', { node_id: 'term' })).body.session_id;
    const { port } = new URL(server.url);
    const body = JSON.stringify({ strings: ['in', 'flight'] });
    // A request whose body is still arriving when the signal comes is in flight by any definition.
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let response = '';
    socket.on('data', (chunk) => (response += chunk.toString()));
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(
      `POST /sessions/${sid}/observe HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
        body.slice(0, 5),
    );
    // In flight for the server too: its hooks have counted it (this probe is the other one).
    await waitFor(async () => (await call(`${server.url}/concurrency`)).body.current_requests >= 2);
    server.child.kill('SIGTERM');
    await waitFor(() => fetch(`${server.url}/health`).then(() => false, () => true));
    socket.end(body.slice(5));
    await ended;
    expect(response).toMatch(/^HTTP\/1\.1 200/);
    expect(response).toContain('"stm_length":1');
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('stopped on SIGTERM');

    const again = await startServerProcess(dir);
    expect((await call(`${again.url}/sessions/${sid}/stm`)).body.stm).toEqual([['flight', 'in']]);
  });

  it('refuses a bad flag or a busy port with a message naming it', async () => {
    await expect(startServerProcess(freshDir(), ['--session-ttl', 'soon'])).rejects.toThrow(/--session-ttl/);
    const first = await startServerProcess(freshDir());
    const { port } = new URL(first.url);
    await expect(startServerProcess(freshDir(), ['--port', port])).rejects.toThrow(/already in use/);
  });
});
