/**
 * STM and learning routes (spec §3.4): read the STM, learn it, clear it, clear the node's whole
 * KB, and finalize-training's precomputed metrics.
 */
import type { FastifyInstance } from 'fastify';
import { clearAll, clearStm, finalizeTraining, learn } from '../../engine/processor/processor.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import { changeSession, requestSession } from './session-access.js';

/** Registers the STM and learning routes. */
export function registerMemoryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/sessions/:session_id/stm', { schema: { tags: ['kato'], summary: 'Short-term memory' } }, async (request) => {
    const session = requestSession(request);
    return { stm: session.state.stm, session_id: session.id, length: session.state.stm.length };
  });

  app.post('/sessions/:session_id/learn', { schema: { tags: ['kato'], summary: 'Learn the STM as a pattern (body ignored)' } }, async (request) => {
    return changeSession(ctx, request, async (session) => {
      if (session.state.stm.length === 0) throw new HttpError(400, 'Cannot learn from empty STM');
      const name = await learn(session.state, ctx.processor(session.kbId, session.nodeId, request.katoIdempotencyKey));
      await ctx.sessions.save(session);
      ctx.metrics.operations++;
      return {
        status: 'learned',
        pattern_name: name,
        session_id: session.id,
        processor_id: null,
        // KATO counts the events after learning has cleared the STM, so its message always says 0.
        message: `Learned pattern ${name} from 0 events`,
      };
    });
  });

  app.post('/sessions/:session_id/clear-stm', { schema: { tags: ['kato'], summary: 'Clear STM, accumulators and time' } }, async (request) => {
    return changeSession(ctx, request, async (session) => {
      clearStm(session.state);
      await ctx.sessions.save(session);
      return { status: 'cleared', session_id: session.id };
    });
  });

  app.post('/sessions/:session_id/clear-all', { schema: { tags: ['kato'], summary: "Delete the node's whole KB and clear this session" } }, async (request) => {
    return changeSession(ctx, request, async (session) => {
      await clearAll(session.state, ctx.processor(session.kbId, session.nodeId));
      await ctx.sessions.save(session);
      return { status: 'cleared', session_id: session.id, scope: 'all' };
    });
  });

  app.post(
    '/sessions/:session_id/finalize-training',
    { schema: { tags: ['kato'], summary: "Precompute every pattern's entropies and tf vector" } },
    async (request) => {
      const session = requestSession(request);
      const started = performance.now();
      const patterns = await finalizeTraining(ctx.processor(session.kbId, session.nodeId));
      const ms = performance.now() - started;
      return {
        status: 'completed',
        patterns_processed: patterns,
        time_ms: ms,
        session_id: session.id,
        node_id: session.nodeId,
        message: `Computed Shannon entropy and TF vectors for ${patterns} patterns in ${ms.toFixed(2)}ms`,
      };
    },
  );
}
