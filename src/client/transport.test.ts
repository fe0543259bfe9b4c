import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpStatusError, ServerUnavailableError } from './errors.js';
import { describeFailure, HttpTransport, type ClientLogger, type HealthWait, type TransportOptions } from './transport.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

interface ScriptedServer {
  url: string;
  port: number;
  server: Server;
  /** Request lines seen, e.g. `GET /x`. */
  seen: string[];
  /** Idempotency keys seen per request, in order. */
  keys: (string | undefined)[];
  close(): Promise<void>;
}

const open: { close(): Promise<void> }[] = [];
const transports: HttpTransport[] = [];

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close().catch(() => undefined)));
  await Promise.all(open.splice(0).map((s) => s.close().catch(() => undefined)));
});

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A node:http server answering `/health` with 200 and everything else with `handler`. */
async function startScriptedServer(handler: Handler, port = 0, configure?: (server: Server) => void): Promise<ScriptedServer> {
  const seen: string[] = [];
  const keys: (string | undefined)[] = [];
  const server = createHttpServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      if (req.url?.endsWith('/health')) return json(res, 200, { status: 'healthy' });
      seen.push(`${req.method} ${req.url}`);
      keys.push(req.headers['idempotency-key'] as string | undefined);
      handler(req, body, res);
    });
  });
  configure?.(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  const scripted: ScriptedServer = {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    server,
    seen,
    keys,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  open.push(scripted);
  return scripted;
}

function recordingLogger(onWarn?: (message: string) => void): ClientLogger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (_fields, message) => lines.push(`info ${message}`),
    warn: (_fields, message) => {
      lines.push(`warn ${message}`);
      onWarn?.(message);
    },
    debug: (_fields, message) => lines.push(`debug ${message}`),
  };
}

function transport(options: Partial<TransportOptions> & { baseUrl: string }): HttpTransport {
  const t = new HttpTransport({
    logger: recordingLogger(),
    ...options,
    retry: { minDelayMs: 5, maxDelayMs: 20, healthPollMs: 20, ...(options.retry as object) },
  });
  transports.push(t);
  return t;
}

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('http transport', () => {
  it('retries 502, 503 and 504 on a GET and returns the answer', async () => {
    const statuses = [503, 502, 504];
    const scripted = await startScriptedServer((_req, _body, res) => {
      const status = statuses.shift();
      if (status) json(res, status, { detail: 'busy' });
      else json(res, 200, { ok: true });
    });
    const t = transport({ baseUrl: scripted.url });
    const reply = await t.send({ method: 'GET', path: '/x', kind: 'read' });
    expect(reply.body).toEqual({ ok: true });
    expect(scripted.seen).toEqual(['GET /x', 'GET /x', 'GET /x', 'GET /x']);
    expect(t.counters).toMatchObject({ requests: 1, attempts: 4, retries: 3 });
  });

  it('never retries a 4xx and reports its body', async () => {
    const scripted = await startScriptedServer((_req, _body, res) => json(res, 409, { detail: 'run exists' }));
    const t = transport({ baseUrl: scripted.url });
    const error = await t.send({ method: 'GET', path: '/x', kind: 'read' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as HttpStatusError).status).toBe(409);
    expect((error as HttpStatusError).message).toContain('run exists');
    expect(scripted.seen).toHaveLength(1);
    expect(t.counters.retries).toBe(0);
  });

  it('does not retry a 500', async () => {
    const scripted = await startScriptedServer((_req, _body, res) => json(res, 500, { detail: 'bug' }));
    const t = transport({ baseUrl: scripted.url });
    await expect(t.send({ method: 'GET', path: '/x', kind: 'read' })).rejects.toBeInstanceOf(HttpStatusError);
    expect(scripted.seen).toHaveLength(1);
  });

  it('resends a keyed write with the same key, and never resends a write without one', async () => {
    let fail = true;
    const scripted = await startScriptedServer((_req, _body, res) => {
      if (fail) {
        fail = false;
        return json(res, 503, { detail: 'restarting' });
      }
      json(res, 200, { ok: true });
    });
    const t = transport({ baseUrl: scripted.url });
    await t.send({ method: 'POST', path: '/w', body: { a: 1 }, kind: 'write', idempotencyKey: 'key-1' });
    expect(scripted.keys).toEqual(['key-1', 'key-1']);

    fail = true;
    await expect(t.send({ method: 'POST', path: '/w', body: { a: 1 }, kind: 'write' })).rejects.toBeInstanceOf(HttpStatusError);
    expect(scripted.keys).toEqual(['key-1', 'key-1', undefined]);
  });

  it('waits for /health while the server is down, then carries on', async () => {
    const port = await freePort();
    let starting: Promise<ScriptedServer> | null = null;
    const logger = recordingLogger((message) => {
      // The server comes up only once the client has started waiting for it.
      if (message.includes('waiting for /health')) starting ??= startScriptedServer((_req, _body, res) => json(res, 200, { ok: 1 }), port);
    });
    const t = transport({ baseUrl: `http://127.0.0.1:${port}`, logger });
    const reply = await t.send({ method: 'GET', path: '/x', kind: 'read' });
    expect(reply.body).toEqual({ ok: 1 });
    expect(starting).not.toBeNull();
    expect(t.counters.healthWaits).toBeGreaterThanOrEqual(1);
    expect(t.counters.retries).toBeGreaterThanOrEqual(1);
    expect(logger.lines).toContain('info server is healthy again; carrying on');
  });

  it('fails with ServerUnavailableError when /health stays away past the wait', async () => {
    const port = await freePort();
    const t = transport({ baseUrl: `http://127.0.0.1:${port}`, retry: { healthWaitMs: 150 } });
    const error = await t.send({ method: 'GET', path: '/x', kind: 'read' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerUnavailableError);
    expect((error as Error).message).toMatch(/did not answer \/health/);
  });

  it('stops at the total deadline with ServerUnavailableError', async () => {
    const scripted = await startScriptedServer((_req, _body, res) => json(res, 503, { detail: 'busy' }));
    const t = transport({ baseUrl: scripted.url, retry: { deadlineMs: 200, minDelayMs: 20, maxDelayMs: 40, maxAttempts: 1000 } });
    const error = await t.send({ method: 'GET', path: '/x', kind: 'read' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerUnavailableError);
    expect((error as Error).message).toMatch(/deadline reached/);
    expect(scripted.seen.length).toBeGreaterThan(1);
  });

  it('abandons an attempt at its operation timeout and retries it', async () => {
    let hang = true;
    const scripted = await startScriptedServer((_req, _body, res) => {
      if (hang) {
        hang = false;
        return;
      }
      json(res, 200, { ok: true });
    });
    const t = transport({ baseUrl: scripted.url, timeouts: { read: 150 } });
    const reply = await t.send({ method: 'GET', path: '/slow', kind: 'read' });
    expect(reply.body).toEqual({ ok: true });
    expect(scripted.seen).toEqual(['GET /slow', 'GET /slow']);
    expect(t.counters.retries).toBe(1);
  });

  it('keeps the path prefix of the base URL on every request', async () => {
    const scripted = await startScriptedServer((_req, _body, res) => json(res, 200, {}));
    const t = transport({ baseUrl: `${scripted.url}/kato/` });
    await t.send({ method: 'GET', path: '/sessions/count', query: { a: 1, b: undefined }, kind: 'read' });
    expect(scripted.seen).toEqual(['GET /kato/sessions/count?a=1']);
  });

  it('counts replies the server took from its idempotency record', async () => {
    const scripted = await startScriptedServer((_req, _body, res) => json(res, 200, { ok: true }, { 'idempotent-replayed': 'true' }));
    const t = transport({ baseUrl: scripted.url });
    const reply = await t.send({ method: 'POST', path: '/learn', body: {}, kind: 'write', idempotencyKey: 'k' });
    expect(reply.replayed).toBe(true);
    expect(t.counters.dedupHits).toBe(1);
  });

  it('returns statuses the caller accepts instead of throwing', async () => {
    const scripted = await startScriptedServer((_req, _body, res) => json(res, 404, { detail: 'Session s not found or expired' }));
    const t = transport({ baseUrl: scripted.url });
    const reply = await t.send({ method: 'GET', path: '/sessions/s', kind: 'read', accept: [404] });
    expect(reply.status).toBe(404);
  });
});

describe('a server that has not answered yet', () => {
  it('fails at once, naming the URL, when the client does not wait for it', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const waits: HealthWait[] = [];
    const t = transport({ baseUrl, waitForServer: false, onHealthWait: (wait) => waits.push(wait), retry: { healthWaitMs: 30_000 } });
    const started = Date.now();
    const error = await t.send({ method: 'GET', path: '/x', kind: 'read' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerUnavailableError);
    expect((error as Error).message).toBe(`cannot reach kato server at ${baseUrl}: connection refused`);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(t.counters.healthWaits).toBe(0);
    expect(waits).toEqual([]);
  });

  it('is waited for by default, telling onHealthWait how long and why, instead of the logger', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const logger = recordingLogger();
    const waits: HealthWait[] = [];
    let starting: Promise<ScriptedServer> | null = null;
    const t = transport({
      baseUrl,
      logger,
      retry: { healthWaitMs: 30_000 },
      onHealthWait: (wait) => {
        waits.push(wait);
        starting ??= startScriptedServer((_req, _body, res) => json(res, 200, { ok: 1 }), port);
      },
    });
    expect((await t.send({ method: 'GET', path: '/x', kind: 'read' })).body).toEqual({ ok: 1 });
    expect(waits).toHaveLength(1);
    expect(waits[0].baseUrl).toBe(baseUrl);
    expect(waits[0].last).toBe('ECONNREFUSED');
    expect(waits[0].waitMs).toBeGreaterThan(25_000);
    expect(waits[0].waitMs).toBeLessThanOrEqual(30_000);
    expect(logger.lines.filter((line) => line.startsWith('warn'))).toEqual([]);
  });

  it('once it has answered, a restart is waited for even by a client that does not wait for a server to start', async () => {
    const scripted = await startScriptedServer((_req, _body, res) => json(res, 200, { ok: 1 }));
    const waits: HealthWait[] = [];
    let restarting: Promise<ScriptedServer> | null = null;
    const t = transport({
      baseUrl: scripted.url,
      waitForServer: false,
      onHealthWait: (wait) => {
        waits.push(wait);
        restarting ??= startScriptedServer((_req, _body, res) => json(res, 200, { ok: 2 }), scripted.port);
      },
    });
    expect((await t.send({ method: 'GET', path: '/x', kind: 'read' })).body).toEqual({ ok: 1 });
    await scripted.close();
    expect((await t.send({ method: 'GET', path: '/x', kind: 'read' })).body).toEqual({ ok: 2 });
    expect(waits).toHaveLength(1);
    expect(t.counters.healthWaits).toBeGreaterThanOrEqual(1);
    expect(restarting).not.toBeNull();
  });

  it('says the last failure in words when the wait runs out', async () => {
    const port = await freePort();
    const t = transport({ baseUrl: `http://127.0.0.1:${port}`, retry: { healthWaitMs: 1_000 } });
    const error = await t.send({ method: 'GET', path: '/x', kind: 'read' }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(`kato server at http://127.0.0.1:${port} did not answer /health within 1 s (last: connection refused)`);
  });

  it('describes connection failures in words and leaves other codes as they are', () => {
    expect(describeFailure('ECONNREFUSED')).toBe('connection refused');
    expect(describeFailure('ENOTFOUND')).toBe('host not found');
    expect(describeFailure('UND_ERR_CONNECT_TIMEOUT')).toBe('connection timed out');
    expect(describeFailure('status 503')).toBe('status 503');
    expect(describeFailure('toString')).toBe('toString');
  });
});

describe('keep-alive sockets the server closes', () => {
  /**
   * A raw HTTP/1.1 server that promises keep-alive but destroys a connection as soon as a second
   * request (health probes aside) arrives on it: the race of a server closing an idle socket just
   * as the client reuses it.
   */
  async function oneShotServer(): Promise<{ url: string; sockets: number; killed: number; answered: number; close(): Promise<void> }> {
    const state = { sockets: 0, killed: 0, answered: 0 };
    const sockets = new Set<Socket>();
    const server: NetServer = createNetServer((socket) => {
      state.sockets++;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      let buffered = '';
      let served = 0;
      socket.on('data', (chunk) => {
        buffered += chunk.toString('latin1');
        for (;;) {
          const end = buffered.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = buffered.slice(0, end);
          const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
          if (buffered.length < end + 4 + length) return;
          buffered = buffered.slice(end + 4 + length);
          const path = head.split(' ')[1];
          if (path === '/health') {
            socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n{}');
            continue;
          }
          if (served === 1) {
            state.killed++;
            socket.destroy();
            return;
          }
          served++;
          state.answered++;
          const body = JSON.stringify({ path });
          socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\nKeep-Alive: timeout=60\r\n\r\n${body}`);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const handle = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      get sockets() {
        return state.sockets;
      },
      get killed() {
        return state.killed;
      },
      get answered() {
        return state.answered;
      },
      close: () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    };
    open.push(handle);
    return handle;
  }

  it('retries transparently on a fresh connection, for reads and keyed writes', async () => {
    const server = await oneShotServer();
    const t = transport({ baseUrl: server.url, connections: 1 });
    for (let i = 0; i < 6; i++) {
      const read = await t.send<{ path: string }>({ method: 'GET', path: `/r${i}`, kind: 'read' });
      expect(read.body.path).toBe(`/r${i}`);
      const write = await t.send<{ path: string }>({ method: 'POST', path: `/w${i}`, body: { i }, kind: 'write', idempotencyKey: `k${i}` });
      expect(write.body.path).toBe(`/w${i}`);
    }
    expect(server.answered).toBe(12);
    expect(server.killed).toBeGreaterThan(0);
    expect(t.counters.retries).toBe(server.killed);
    expect(t.counters.requests).toBe(12);
  });

  it('rides through a server with a tiny keep-alive timeout', async () => {
    const scripted = await startScriptedServer(
      (_req, _body, res) => json(res, 200, { ok: true }, { 'keep-alive': 'timeout=60' }),
      0,
      (server) => {
        server.keepAliveTimeout = 5;
      },
    );
    const t = transport({ baseUrl: scripted.url, connections: 2 });
    for (let i = 0; i < 40; i++) {
      const reply = await t.send({ method: i % 2 ? 'GET' : 'POST', path: '/x', body: i % 2 ? undefined : { i }, kind: 'read', idempotencyKey: `k${i}` });
      expect(reply.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, i % 8));
    }
    expect(scripted.seen).toHaveLength(40 + t.counters.retries);
  });
});
