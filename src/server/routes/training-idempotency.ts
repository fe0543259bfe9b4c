/**
 * Idempotency keys: a write carrying `Idempotency-Key` is applied once; a resend of it (a client
 * retry after a lost reply) is answered with the recorded reply and `Idempotent-Replayed: true`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';

/** Header the client sends; header the server sets on a reply taken from its record. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';

/** How long a key is remembered: far longer than any client's retry deadline. */
const RETENTION_MS = 24 * 60 * 60 * 1000;
const PURGE_INTERVAL_MS = 60 * 60 * 1000;
const MAX_KEY_LENGTH = 256;

declare module 'fastify' {
  interface FastifyRequest {
    /** The idempotency key this request is applying (set once it is known to be the first use). */
    katoIdempotencyKey?: string;
  }
  interface FastifyContextConfig {
    /** False for POST routes that only read (their replies are not worth recording). */
    idempotency?: boolean;
  }
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The key of a keyed write, or undefined for requests the records do not cover. */
function requestKey(request: FastifyRequest): string | undefined {
  if (!WRITE_METHODS.has(request.method) || request.routeOptions.config?.idempotency === false) return undefined;
  const header = request.headers[IDEMPOTENCY_HEADER];
  const key = Array.isArray(header) ? header[0] : header;
  if (key === undefined || key === '') return undefined;
  if (key.length > MAX_KEY_LENGTH) throw new HttpError(400, `Idempotency-Key is longer than ${MAX_KEY_LENGTH} characters`);
  return key;
}

/** What the key was used for: the same key on another route is a client error, not a replay. */
function scopeOf(request: FastifyRequest): string {
  return `${request.method} ${request.routeOptions.url ?? request.url}`;
}

/**
 * Installs the hooks on every route registered after it. The record is written once the reply
 * is known, so it follows the write by moments; the batch training route needs no record to be
 * exact (its ledger refuses a document twice), the KATO routes rely on it for resends.
 */
export function installIdempotency(app: FastifyInstance, ctx: ServerContext): void {
  // Concurrent resends of one key (a retry while the first attempt still runs) wait for it.
  const inFlight = new Map<string, Promise<void>>();
  const settle = new Map<string, () => void>();

  app.addHook('preHandler', async (request, reply) => {
    const key = requestKey(request);
    if (key === undefined) return;
    for (;;) {
      const running = inFlight.get(key);
      if (!running) break;
      await running;
    }
    const found = await ctx.store.getIdempotency(key);
    if (found) {
      if (found.scope !== scopeOf(request)) {
        throw new HttpError(422, `Idempotency-Key ${JSON.stringify(key)} was already used for ${found.scope}`);
      }
      return reply.code(found.status).type(found.contentType).header(REPLAYED_HEADER, 'true').send(found.body);
    }
    let release!: () => void;
    inFlight.set(key, new Promise<void>((resolve) => (release = resolve)));
    settle.set(key, release);
    request.katoIdempotencyKey = key;
  });

  // Released once the handler has answered (not when the client hangs up: the write may still be running).
  const release = (request: FastifyRequest): void => {
    const key = request.katoIdempotencyKey;
    if (key === undefined) return;
    request.katoIdempotencyKey = undefined;
    settle.get(key)?.();
    settle.delete(key);
    inFlight.delete(key);
  };

  app.addHook('onSend', async (request, reply, payload) => {
    const key = request.katoIdempotencyKey;
    if (key === undefined) return payload;
    try {
      if (reply.statusCode < 300 && typeof payload === 'string') {
        const contentType = String(reply.getHeader('content-type') ?? 'application/json; charset=utf-8');
        await ctx.store.putIdempotency({ key, scope: scopeOf(request), status: reply.statusCode, contentType, body: payload, createdAt: Date.now() });
      }
    } finally {
      release(request);
    }
    return payload;
  });
  app.addHook('onResponse', async (request) => release(request));

  const purge = (): void => {
    ctx.store.purgeIdempotency(Date.now() - RETENTION_MS).catch((err: unknown) => app.log.warn({ err }, 'idempotency purge failed'));
  };
  purge();
  const timer = setInterval(purge, PURGE_INTERVAL_MS);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}
