/**
 * How routes reach the session of a validated `/sessions/{id}/…` request: read what the
 * middleware loaded, or re-load it under the session's lock to change it.
 */
import type { FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { SessionNotFound } from '../errors.js';
import type { Session } from '../sessions.js';

/** The session the middleware loaded for this request. */
export function requestSession(request: FastifyRequest): Session {
  const session = request.katoSession;
  // Routes under /sessions/{id}/ only run after the middleware found the session.
  if (!session) throw new SessionNotFound((request.params as { session_id?: string }).session_id ?? '');
  return session;
}

/**
 * Runs `change` on a fresh copy of the session with its lock held, so concurrent operations on
 * one session apply one after another and none is lost. `change` saves what it changed.
 */
export async function changeSession<T>(ctx: ServerContext, request: FastifyRequest, change: (session: Session) => Promise<T>): Promise<T> {
  const seen = requestSession(request);
  return ctx.sessions.withLock(seen.id, async () => {
    // The middleware's copy is still what the store holds unless a write came first.
    const session = ctx.sessions.isCurrent(seen) ? seen : await ctx.sessions.load(seen.id);
    if (!session) throw new SessionNotFound(seen.id);
    // Keep the expiry the middleware slid for this very request.
    session.expiresAt = Math.max(session.expiresAt, seen.expiresAt);
    return change(session);
  });
}
