/**
 * The KATO v3-compatible HTTP server on Fastify: JSON in and out as KATO's Python server speaks
 * it, request validation, every route, OpenAPI docs at /docs, and the store it owns.
 */
import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { NodeRegistry, type ServerContext } from './context.js';
import { handleError } from './errors.js';
import { EventHub } from './events.js';
import { installHooks, requestPath } from './hooks.js';
import { parseJsonText, pyJson, JsonDecodeError } from './json.js';
import { MetricsCollector } from './metrics.js';
import { DEFAULT_OPTIONS, type ServerOptions } from './options.js';
import { registerEventRoutes } from './routes/events.js';
import { registerHealthRoutes, KATO_VERSION } from './routes/health.js';
import { registerMemoryRoutes } from './routes/memory.js';
import { registerMonitoringRoutes } from './routes/monitoring.js';
import { registerNodeRoutes } from './routes/nodes.js';
import { registerObserveRoutes } from './routes/observe.js';
import { registerSessionDataRoutes } from './routes/session-data.js';
import { registerSessionRoutes } from './routes/sessions.js';
import { keyedNodeKb } from './node-kb.js';
import { installIdempotency } from './routes/training-idempotency.js';
import { registerTrainingRoutes } from './routes/training.js';
import { SessionService } from './sessions.js';
import { UnparsedBody, validateBody, validateQuery, type Schema } from './validation.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Shared state of the KATO server. */
    kato: ServerContext;
  }
}

// Expired sessions are deleted on access; this sweep keeps the store from holding abandoned ones.
const PURGE_INTERVAL_MS = 60_000;
const SAMPLE_INTERVAL_MS = 10_000;

/** True when a content type is JSON for FastAPI (`application/json`, `application/*+json`, or none). */
function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return true;
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/** A route pattern as a matcher of concrete paths (for telling 405 from 404). */
function routeMatcher(url: string): RegExp {
  const escaped = url
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped}$`);
}

/** Every option with its default filled in. */
export function resolveOptions(partial: Partial<ServerOptions> = {}): ServerOptions {
  return { ...DEFAULT_OPTIONS, ...partial };
}

/**
 * Builds the server (not listening). Opens the store of `dataDir` unless `store` is given; a store
 * it opened is closed when the app closes.
 */
export async function buildServer(partial: Partial<ServerOptions> = {}): Promise<FastifyInstance> {
  const options = resolveOptions(partial);
  const ownsStore = options.store === undefined;
  const store: Store = options.store ?? openStore(options.dataDir);

  const logger: FastifyServerOptions['logger'] =
    options.logLevel === false ? false : { level: options.logLevel, redact: ['req.headers["x-api-key"]', 'req.headers.authorization'] };
  const app = Fastify({
    logger,
    bodyLimit: options.bodyLimitBytes,
    requestIdHeader: 'x-trace-id',
    genReqId: () => `kato-${randomUUID().replaceAll('-', '')}`,
    routerOptions: { maxParamLength: 8192 },
    return503OnClosing: true,
    // One access-log line per request (written in onResponse) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
  });

  const sessions = new SessionService(store, {
    defaultTtlSeconds: options.sessionTtlSeconds,
    autoExtend: options.sessionAutoExtend,
    now: options.clock,
  });
  const nodes = new NodeRegistry(store, options.serviceName);
  const metrics = new MetricsCollector({
    activeSessions: () => sessions.count(),
    async patternsPerNode() {
      const out = new Map<string, number>();
      for (const kbId of await store.listNodes()) out.set(kbId, (await store.summary(kbId)).patterns);
      return out;
    },
    dataDir: ownsStore ? options.dataDir : undefined,
  });
  const ctx: ServerContext = {
    options,
    store,
    sessions,
    metrics,
    events: new EventHub(),
    nodes,
    startedAt: Date.now(),
    processor: (kbId, nodeId, writeKey) => {
      const kb = nodes.kb(kbId, nodeId);
      return { kb: writeKey === undefined ? kb : keyedNodeKb(kb, writeKey), defaults: options.defaults };
    },
  };
  app.decorate('kato', ctx);

  // Bodies are parsed here, never rejected here: routes that ignore their body (learn,
  // clear-stm) must accept anything, and the validator turns bad JSON into FastAPI's 422.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, text, done) => {
    const body = text as string;
    if (body.length === 0) return done(null, undefined);
    if (!isJsonContentType(request.headers['content-type'])) return done(null, new UnparsedBody(body, null));
    try {
      done(null, parseJsonText(body));
    } catch (err) {
      if (err instanceof JsonDecodeError) return done(null, new UnparsedBody(body, { message: err.message, position: err.position }));
      done(err as Error, undefined);
    }
  });
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (httpPart === 'body') {
      return (data: unknown) => {
        try {
          return { value: validateBody(data, schema as Schema, true) };
        } catch (error) {
          return { error: error as Error };
        }
      };
    }
    if (httpPart === 'querystring') {
      return (data: unknown) => {
        try {
          return { value: validateQuery(data, schema as Schema) };
        } catch (error) {
          return { error: error as Error };
        }
      };
    }
    return () => true;
  });
  app.setSerializerCompiler(() => (data) => pyJson(data));
  app.setReplySerializer((payload) => pyJson(payload));
  app.setErrorHandler(handleError);

  const routes: { method: string; matcher: RegExp }[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) routes.push({ method, matcher: routeMatcher(route.url) });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = requestPath(request.url);
    const allowed = [...new Set(routes.filter((r) => r.matcher.test(path)).map((r) => r.method))];
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      return reply.code(405).header('allow', allowed.join(', ')).send({ detail: 'Method Not Allowed' });
    }
    return reply.code(404).send({ detail: 'Not Found' });
  });

  installHooks(app, ctx);
  // Keyed writes (Idempotency-Key) are applied once; installed before every route it covers.
  installIdempotency(app, ctx);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'KATO API (kato-ts)',
        version: KATO_VERSION,
        description:
          'KATO v3-compatible API. Sessions hold STM and config; nodes (node_id) hold the learned patterns. ' +
          'Prometheus metrics: GET /metrics/prometheus. API keys, when configured: X-API-Key header.',
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(websocket, { options: { maxPayload: 1024 * 1024 } });

  registerHealthRoutes(app, ctx);
  registerSessionRoutes(app, ctx);
  registerObserveRoutes(app, ctx);
  registerMemoryRoutes(app, ctx);
  registerSessionDataRoutes(app, ctx);
  registerNodeRoutes(app, ctx);
  registerMonitoringRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  await registerTrainingRoutes(app, ctx);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const purge = setInterval(() => {
    sessions.purgeExpired().catch((err: unknown) => app.log.warn({ err }, 'session purge failed'));
  }, PURGE_INTERVAL_MS);
  const sample = setInterval(() => metrics.sample(), SAMPLE_INTERVAL_MS);
  purge.unref();
  sample.unref();
  app.addHook('onClose', async () => {
    clearInterval(purge);
    clearInterval(sample);
    if (ownsStore) await store.close();
  });
  return app;
}
