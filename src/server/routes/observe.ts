/**
 * Observation routes (spec §3.4): one observation, and a sequence of them with optional learns.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { JsonValue } from '../../engine/processor/json-value.js';
import { observe, observeSequence } from '../../engine/processor/processor.js';
import { applySessionLimits } from '../../engine/processor/session.js';
import type { Emotives, Observation } from '../../engine/types.js';
import type { ServerContext } from '../context.js';
import { observationBody, observeSequenceBody } from '../schemas.js';
import { changeSession } from './session-access.js';

interface ObservationBody {
  strings: string[];
  vectors: number[][];
  emotives: Emotives;
  metadata: Record<string, JsonValue>;
  unique_id?: string | null;
}

interface SequenceBody {
  observations: ObservationBody[];
  learn_after_each: boolean;
  learn_at_end: boolean;
  clear_stm_between: boolean;
}

function hexId(): string {
  return randomUUID().replaceAll('-', '');
}

function observation(body: ObservationBody, uniqueId: string): Observation {
  return { strings: body.strings, vectors: body.vectors, emotives: body.emotives, metadata: body.metadata, uniqueId };
}

/** Registers the observation routes. */
export function registerObserveRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post(
    '/sessions/:session_id/observe',
    { schema: { body: observationBody, tags: ['kato'], summary: 'Observe strings, vectors, emotives and metadata' } },
    async (request) => {
      const body = request.body as ObservationBody;
      return changeSession(ctx, request, async (session) => {
        // KATO ignores a client-supplied unique_id here and makes its own.
        const outcome = await observe(session.state, observation(body, `obs-${hexId()}`), ctx.processor(session.kbId, session.nodeId, request.katoIdempotencyKey));
        applySessionLimits(session.state);
        await ctx.sessions.save(session);
        ctx.metrics.operations++;
        return {
          status: 'okay',
          session_id: session.id,
          processor_id: session.nodeId,
          stm_length: session.state.stm.length,
          time: session.state.time,
          unique_id: outcome.uniqueId,
          auto_learned_pattern: outcome.autoLearnedPattern,
        };
      });
    },
  );

  app.post(
    '/sessions/:session_id/observe-sequence',
    { schema: { body: observeSequenceBody, tags: ['kato'], summary: 'Observe a sequence, optionally learning after each or at the end' } },
    async (request) => {
      const body = request.body as SequenceBody;
      return changeSession(ctx, request, async (session) => {
        const { state } = session;
        if (body.observations.length === 0) {
          return {
            status: 'completed',
            processor_id: session.nodeId,
            observations_processed: 0,
            initial_stm_length: state.stm.length,
            final_stm_length: state.stm.length,
            results: [],
            auto_learned_patterns: [],
            final_learned_pattern: null,
            isolated: body.clear_stm_between,
          };
        }
        const items = body.observations.map((o) => observation(o, o.unique_id || `seq-obs-${hexId()}`));
        const outcome = await observeSequence(
          state,
          items,
          { learnAfterEach: body.learn_after_each, learnAtEnd: body.learn_at_end, clearStmBetween: body.clear_stm_between },
          ctx.processor(session.kbId, session.nodeId, request.katoIdempotencyKey),
        );
        await ctx.sessions.save(session);
        ctx.metrics.operations += items.length;
        return {
          status: 'completed',
          processor_id: session.nodeId,
          observations_processed: items.length,
          initial_stm_length: outcome.initialStmLength,
          final_stm_length: state.stm.length,
          results: outcome.results,
          auto_learned_patterns: outcome.autoLearnedPatterns,
          final_learned_pattern: outcome.finalLearnedPattern,
          isolated: body.clear_stm_between,
        };
      });
    },
  );
}
