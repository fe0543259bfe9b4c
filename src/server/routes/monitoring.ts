/**
 * Monitoring routes (spec §3.6): KATO's JSON /metrics, /stats and /metrics/{name}; Prometheus
 * text at /metrics/prometheus (or /metrics with `Accept: text/plain`); untested diagnostics.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import { minutesQuery } from '../schemas.js';

const PROMETHEUS_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** True when the client asks for Prometheus text rather than KATO's JSON. */
function wantsPrometheus(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return /application\/openmetrics-text|text\/plain/.test(accept) && !/application\/json/.test(accept);
}

/** Registers the monitoring routes. */
export function registerMonitoringRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { metrics } = ctx;

  const sections = async () => {
    const average = metrics.averageResponseTime();
    const uptime = Math.max((Date.now() - ctx.startedAt) / 1000, 1e-6);
    const active = await ctx.sessions.count();
    return {
      sessions: {
        total_created: metrics.sessionsCreated,
        total_deleted: metrics.sessionsDeleted,
        active,
        operations_total: metrics.operations,
      },
      performance: {
        total_requests: metrics.totalRequests,
        total_errors: metrics.totalErrors,
        error_rate: metrics.totalRequests > 0 ? metrics.totalErrors / metrics.totalRequests : 0,
        average_response_time: average,
      },
      resources: {
        cpu_percent: metrics.cpuPercent(),
        memory_percent: metrics.memoryPercent(),
        disk_percent: await metrics.diskPercent(),
      },
      databases: {
        sqlite: { operations: metrics.operations, errors: metrics.totalErrors, avg_response_time: average },
      },
      rates: {
        requests_per_second: metrics.totalRequests / uptime,
        errors_per_second: metrics.totalErrors / uptime,
        operations_per_second: metrics.operations / uptime,
      },
      processor_manager: {
        total_processors: ctx.nodes.list().length,
        processors: ctx.nodes.list().length,
        max_processors: 100,
      },
    };
  };

  const prometheus = async (reply: FastifyReply) => reply.type(PROMETHEUS_TYPE).send(await metrics.prometheus());

  app.get('/metrics', { schema: { tags: ['monitoring'], summary: 'KATO metrics (JSON; Prometheus text with Accept: text/plain)' } }, async (request, reply) => {
    if (wantsPrometheus(request)) return prometheus(reply);
    return { timestamp: Date.now() / 1000, ...(await sections()) };
  });

  app.get('/metrics/prometheus', { schema: { tags: ['monitoring'], summary: 'Prometheus text exposition' } }, async (_request, reply) =>
    prometheus(reply),
  );

  app.get('/metrics/:metric_name', { schema: { querystring: minutesQuery, tags: ['monitoring'], summary: 'One time series' } }, async (request) => {
    const { metric_name: name } = request.params as { metric_name: string };
    const { minutes } = request.query as { minutes: number };
    const points = metrics.points(name, minutes);
    if (points.length === 0) throw new HttpError(404, `No data available for metric '${name}' in the last ${minutes} minutes`);
    const values = points.map((p) => p.value);
    return {
      metric_name: name,
      time_range_minutes: minutes,
      timestamp: Date.now() / 1000,
      statistics: {
        count: values.length,
        min: Math.min(...values),
        max: Math.max(...values),
        avg: values.reduce((a, b) => a + b, 0) / values.length,
      },
      data_points: points,
    };
  });

  app.get('/stats', { schema: { querystring: minutesQuery, tags: ['monitoring'], summary: 'Time series and summary' } }, async (request) => {
    const { minutes } = request.query as { minutes: number };
    metrics.sample();
    const s = await sections();
    return {
      time_range_minutes: minutes,
      timestamp: Date.now() / 1000,
      processor_manager: s.processor_manager,
      current_status: { status: 'healthy', active_sessions: s.sessions.active, requests_in_flight: metrics.inFlight },
      time_series: metrics.allSeries(minutes),
      summary: { sessions: s.sessions, performance: s.performance, resources: s.resources, databases: s.databases },
    };
  });

  app.get('/concurrency', { schema: { tags: ['monitoring'], summary: 'Requests in flight' } }, async () => ({
    timestamp: Date.now() / 1000,
    current_requests: metrics.inFlight,
    peak_requests: metrics.peakInFlight,
    total_requests: metrics.totalRequests,
    limit_concurrency: null,
    limit_max_requests: null,
  }));

  app.get('/cache/stats', { schema: { tags: ['monitoring'], summary: 'Cache statistics' } }, async () => ({
    timestamp: Date.now() / 1000,
    nodes_cached: ctx.nodes.list().length,
    max_nodes: 100,
  }));

  app.post('/cache/invalidate', { schema: { tags: ['monitoring'], summary: 'Invalidate caches (nothing is stale here)' } }, async () => ({
    timestamp: Date.now() / 1000,
    status: 'invalidated',
    message: 'Every read goes to the store, so no cache can be stale',
  }));

  app.get('/distributed-stm/stats', { schema: { tags: ['monitoring'], summary: 'STM storage statistics' } }, async () => ({
    timestamp: Date.now() / 1000,
    backend: 'sqlite',
    active_sessions: await ctx.sessions.count(),
  }));

  app.get('/connection-pools', { schema: { tags: ['monitoring'], summary: 'Storage connections' } }, async () => ({
    timestamp: Date.now() / 1000,
    pools: { sqlite: { connections: 1, mode: 'embedded' } },
  }));
}
