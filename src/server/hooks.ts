/**
 * The request pipeline before any route runs, in KATO's middleware order: trace id, metrics,
 * CORS, API keys, then the session middleware that answers 404 before a body is even parsed.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from './context.js';
import { sessionNotFoundBody } from './errors.js';
import type { Session } from './sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The session of a validated `/sessions/{id}/…` request, loaded by the session middleware. */
    katoSession?: Session;
    /** process.hrtime.bigint() when the request arrived. */
    katoStartedAt?: bigint;
    /** Whether the request is still counted as in flight. */
    katoInFlight?: boolean;
  }
}

/** The decoded path of a request URL (no query). */
export function requestPath(url: string): string {
  const q = url.indexOf('?');
  const raw = q < 0 ? url : url.slice(0, q);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * The session id KATO's SessionMiddleware validates for this request, or null when it does not
 * apply: `GET /sessions/{x}` and `GET /sessions/{x}/exists` are not validated (nor, therefore,
 * `GET /sessions/count`).
 */
export function middlewareSessionId(method: string, path: string): string | null {
  if (!path.startsWith('/sessions/')) return null;
  const parts = path.split('/');
  if (method === 'GET' || method === 'HEAD') {
    if (parts.length === 3) return null;
    if (parts.length === 4 && parts[3] === 'exists') return null;
  }
  return parts[2];
}

function keyMatches(given: string, keys: readonly Buffer[]): boolean {
  const candidate = Buffer.from(given);
  // Compare against every key so the time taken does not reveal which one (or how much) matched.
  let ok = false;
  for (const key of keys) {
    if (key.length === candidate.length && timingSafeEqual(key, candidate)) ok = true;
  }
  return ok;
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string') return header;
  const auth = request.headers.authorization;
  if (typeof auth === 'string' && auth.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  return undefined;
}

function setCors(request: FastifyRequest, reply: FastifyReply): boolean {
  const origin = request.headers.origin;
  if (!origin) return false;
  // Allow every origin with credentials, as KATO's CORSMiddleware does (origin echoed, not "*").
  reply.header('access-control-allow-origin', origin);
  reply.header('access-control-allow-credentials', 'true');
  reply.header('vary', 'Origin');
  if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
    reply.header('access-control-allow-methods', 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT');
    const requested = request.headers['access-control-request-headers'];
    if (requested) reply.header('access-control-allow-headers', requested);
    reply.header('access-control-max-age', '600');
    return true;
  }
  return false;
}

/** Installs the request hooks on the app. */
export function installHooks(app: FastifyInstance, ctx: ServerContext): void {
  const apiKeys = ctx.options.apiKeys.map((k) => Buffer.from(k));

  app.addHook('onRequest', async (request, reply) => {
    request.katoStartedAt = process.hrtime.bigint();
    reply.header('x-trace-id', request.id);
    ctx.metrics.inFlight++;
    request.katoInFlight = true;
    ctx.metrics.peakInFlight = Math.max(ctx.metrics.peakInFlight, ctx.metrics.inFlight);
    if (setCors(request, reply)) return reply.code(200).type('text/plain; charset=utf-8').send('OK');
    const path = requestPath(request.url);
    if (apiKeys.length > 0 && path !== '/health') {
      const given = presentedKey(request);
      if (given === undefined || !keyMatches(given, apiKeys)) {
        return reply.code(401).header('www-authenticate', 'ApiKey').send({ detail: 'Invalid or missing API key (send it in the X-API-Key header; kato commands send KATO_API_KEY)' });
      }
    }
    const sessionId = middlewareSessionId(request.method, path);
    if (sessionId === null) return;
    const session = await ctx.sessions.load(sessionId);
    if (!session || !(await ctx.sessions.touch(session))) return reply.code(404).send(sessionNotFoundBody(sessionId));
    reply.header('x-session-id', sessionId);
    request.katoSession = session;
  });

  const settle = (request: FastifyRequest): void => {
    if (!request.katoInFlight) return;
    request.katoInFlight = false;
    ctx.metrics.inFlight--;
  };
  app.addHook('onRequestAbort', async (request) => settle(request));
  app.addHook('onResponse', async (request, reply) => {
    settle(request);
    const started = request.katoStartedAt ?? process.hrtime.bigint();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const route = request.routeOptions.url ?? 'unmatched';
    ctx.metrics.record(request.method, route, reply.statusCode, seconds);
    request.log.info({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(seconds * 1e6) / 1e3 }, 'request');
  });
}
