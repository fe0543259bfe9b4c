/**
 * Session routes (spec §3.3): create, count, info, delete, exists, config read and update, extend.
 */
import type { FastifyInstance } from 'fastify';
import {
  applyConfigUpdate,
  applyCreationConfig,
  effectiveConfig,
  validateConfigUpdate,
} from '../../engine/processor/config.js';
import type { JsonValue } from '../../engine/processor/json-value.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import { isoTimestamp } from '../events.js';
import { configUpdateBody, createSessionBody, extendQuery } from '../schemas.js';
import type { Session } from '../sessions.js';
import { RequestValidationError } from '../validation.js';
import { changeSession, requestSession } from './session-access.js';

interface CreateBody {
  node_id: string;
  metadata: Record<string, JsonValue> | null;
  ttl_seconds: number | null;
  config: Record<string, unknown> | null;
}

/** KATO's SessionResponse. */
function sessionResponse(ctx: ServerContext, session: Session, ttlSeconds: number) {
  return {
    session_id: session.id,
    node_id: session.nodeId,
    created_at: isoTimestamp(session.createdAt),
    expires_at: isoTimestamp(session.expiresAt),
    ttl_seconds: ttlSeconds,
    metadata: session.metadata,
    session_config: effectiveConfig(session.state.config, ctx.options.defaults),
  };
}

function nonNegative(value: number | null | undefined, loc: (string | number)[]): void {
  if (typeof value === 'number' && value < 0) {
    throw new RequestValidationError([
      { type: 'greater_than_equal', loc, msg: 'Input should be greater than or equal to 0', input: value, ctx: { ge: 0 } },
    ]);
  }
}

/** Registers the session routes. */
export function registerSessionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/sessions', { schema: { body: createSessionBody, tags: ['sessions'], summary: 'Create a session' } }, async (request) => {
    const body = request.body as CreateBody;
    nonNegative(body.ttl_seconds, ['body', 'ttl_seconds']);
    const ttl = ctx.sessions.ttlFor(body.ttl_seconds);
    const session = await ctx.sessions.create({
      nodeId: body.node_id,
      kbId: ctx.nodes.kbId(body.node_id),
      ttlSeconds: ttl,
      metadata: body.metadata ?? {},
      config: applyCreationConfig(body.config),
    });
    ctx.metrics.sessionsCreated++;
    ctx.events.broadcast('session.created', {
      session_id: session.id,
      node_id: session.nodeId,
      created_at: isoTimestamp(session.createdAt),
    });
    return sessionResponse(ctx, session, ttl);
  });

  app.get('/sessions/count', { schema: { tags: ['sessions'], summary: 'Count active sessions' } }, async () => ({
    active_session_count: await ctx.sessions.count(),
  }));

  app.get('/sessions/:session_id', { schema: { tags: ['sessions'], summary: 'Session info (extends its TTL)' } }, async (request) => {
    const { session_id: id } = request.params as { session_id: string };
    const session = await ctx.sessions.load(id);
    if (!session || !(await ctx.sessions.touch(session))) throw new HttpError(404, `Session ${id} not found or expired`);
    return sessionResponse(ctx, session, ctx.sessions.remainingSeconds(session));
  });

  app.delete('/sessions/:session_id', { schema: { tags: ['sessions'], summary: 'Delete a session' } }, async (request) => {
    const session = requestSession(request);
    const deleted = await ctx.sessions.withLock(session.id, () => ctx.sessions.delete(session.id));
    if (!deleted) throw new HttpError(404, `Session ${session.id} not found or expired`);
    ctx.metrics.sessionsDeleted++;
    ctx.events.broadcast('session.destroyed', {
      session_id: session.id,
      destroyed_at: isoTimestamp(Date.now()),
      reason: 'explicit_delete',
    });
    return { status: 'deleted', session_id: session.id };
  });

  app.get('/sessions/:session_id/exists', { schema: { tags: ['sessions'], summary: 'Whether a session exists (no TTL extension)' } }, async (request) => {
    const { session_id: id } = request.params as { session_id: string };
    return { ...(await ctx.sessions.exists(id)), session_id: id };
  });

  app.get('/sessions/:session_id/config', { schema: { tags: ['sessions'], summary: 'Effective session configuration' } }, async (request) => {
    const session = requestSession(request);
    return { session_id: session.id, config: effectiveConfig(session.state.config, ctx.options.defaults) };
  });

  app.post('/sessions/:session_id/config', { schema: { body: configUpdateBody, tags: ['sessions'], summary: 'Update session configuration' } }, async (request) => {
    const body = request.body as Record<string, unknown>;
    const update = Object.hasOwn(body, 'config') ? body.config : body;
    const errors =
      update !== null && typeof update === 'object' && !Array.isArray(update)
        ? validateConfigUpdate(update as Record<string, unknown>)
        : { config: 'Must be an object of configuration keys' };
    if (Object.keys(errors).length > 0) {
      throw new HttpError(400, { error: 'Configuration validation failed', validation_errors: errors });
    }
    return changeSession(ctx, request, async (session) => {
      session.state.config = applyConfigUpdate(session.state.config, update as Record<string, unknown>);
      session.configUpdatedAt = Date.now();
      session.configVersion++;
      await ctx.sessions.save(session);
      return { status: 'okay', message: 'Configuration updated', session_id: session.id };
    });
  });

  app.post('/sessions/:session_id/extend', { schema: { querystring: extendQuery, tags: ['sessions'], summary: 'Set the session expiry to now + ttl_seconds' } }, async (request) => {
    const { ttl_seconds: ttl } = request.query as { ttl_seconds: number };
    nonNegative(ttl, ['query', 'ttl_seconds']);
    return changeSession(ctx, request, async (session) => {
      await ctx.sessions.extend(session, ttl);
      return { status: 'extended', session_id: session.id, ttl_seconds: ttl };
    });
  });
}
