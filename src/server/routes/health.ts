/**
 * Service routes (spec §3.6): `GET /` service info, `/health` (always 200) and `/status`.
 */
import type { FastifyInstance } from 'fastify';
import { MAX_NODES, type ServerContext } from '../context.js';
import { isoTimestamp } from '../events.js';

/** The KATO API version this server implements. */
export const KATO_VERSION = '3.10.1';

/** Degraded above this many server errors in the last minute (KATO's error-rate rule). */
const DEGRADED_ERRORS_PER_MINUTE = 10;

function uptimeSeconds(ctx: ServerContext): number {
  // Never exactly 0: clients check uptime_seconds > 0 right after start.
  return Math.max((Date.now() - ctx.startedAt) / 1000, 1e-6);
}

/** Registers the service routes. */
export function registerHealthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/', { schema: { tags: ['service'], summary: 'Service information' } }, async () => ({
    service: 'KATO API',
    version: KATO_VERSION,
    description: 'Knowledge Abstraction for Traceable Outcomes with Multi-User Support',
    docs: '/docs',
    health: '/health',
    status: 'running',
    uptime_seconds: uptimeSeconds(ctx),
    architecture: 'modular',
    session_support: true,
  }));

  app.get('/health', { schema: { tags: ['service'], summary: 'Health (always 200; status says how healthy)' } }, async () => {
    const issues: string[] = [];
    let processorStatus = 'healthy';
    let activeSessions = 0;
    try {
      activeSessions = await ctx.sessions.count();
    } catch (err) {
      processorStatus = 'unhealthy';
      issues.push(`store unavailable: ${err instanceof Error ? err.message : String(err)}`);
    }
    const errors = ctx.metrics.recentErrors();
    if (errors > DEGRADED_ERRORS_PER_MINUTE) issues.push(`${errors} server errors in the last minute`);
    const status = processorStatus === 'unhealthy' ? 'unhealthy' : issues.length > 0 ? 'degraded' : 'healthy';
    return {
      status,
      processor_status: processorStatus,
      service_name: ctx.options.serviceName,
      uptime_seconds: uptimeSeconds(ctx),
      issues,
      metrics_collected: ctx.metrics.totalRequests,
      last_collection: ctx.startedAt / 1000,
      active_sessions: activeSessions,
      timestamp: isoTimestamp(Date.now()),
    };
  });

  app.get('/status', { schema: { tags: ['service'], summary: 'Sessions and nodes of this server' } }, async () => {
    const active = await ctx.sessions.count();
    const now = Date.now();
    const nodes = ctx.nodes.list();
    return {
      status: 'healthy',
      base_processor_id: ctx.options.serviceName,
      uptime_seconds: uptimeSeconds(ctx),
      sessions: {
        total_sessions: active,
        active_sessions: active,
        expired_sessions: 0,
        backend: 'sqlite',
        redis_url: null,
      },
      processors: {
        total_processors: nodes.length,
        max_processors: MAX_NODES,
        eviction_ttl_seconds: ctx.options.sessionTtlSeconds,
        processors: nodes.map((n) => ({
          processor_id: n.kbId,
          node_id: n.nodeId,
          created_at: isoTimestamp(n.createdAt),
          last_accessed: isoTimestamp(n.lastAccessed),
          access_count: n.accessCount,
          idle_seconds: (now - n.lastAccessed) / 1000,
        })),
      },
      version: KATO_VERSION,
    };
  });
}
