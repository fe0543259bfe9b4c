/**
 * Per-session read routes (spec §3.4): predictions computed afresh, the last percept, and the
 * cognition snapshot of the last observe.
 */
import type { FastifyInstance } from 'fastify';
import { predictions } from '../../engine/processor/processor.js';
import { flattenStm } from '../../engine/processor/session.js';
import type { ServerContext } from '../context.js';
import { requestSession } from './session-access.js';

/** Registers predictions, percept-data and cognition-data. */
export function registerSessionDataRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/sessions/:session_id/predictions', { schema: { tags: ['kato'], summary: 'Predictions for the current STM' } }, async (request) => {
    const session = requestSession(request);
    const result = await predictions(session.state, ctx.processor(session.kbId, session.nodeId));
    return {
      predictions: result.predictions,
      future_potentials: result.futurePotentials,
      session_id: session.id,
      processor_id: null,
      count: result.predictions.length,
      time: null,
      unique_id: null,
    };
  });

  app.get('/sessions/:session_id/percept-data', { schema: { tags: ['kato'], summary: 'The last observation' } }, async (request) => {
    const session = requestSession(request);
    return { percept_data: session.state.perceptData ?? {}, session_id: session.id, node_id: session.nodeId };
  });

  app.get('/sessions/:session_id/cognition-data', { schema: { tags: ['kato'], summary: 'Cognition snapshot of the last observe' } }, async (request) => {
    const session = requestSession(request);
    const { state } = session;
    return {
      cognition_data: {
        predictions: state.predictions,
        emotives: state.emotivesAccumulator.at(-1) ?? {},
        symbols: flattenStm(state.stm),
        command: '',
        metadata: {},
        path: [],
        strings: [],
        vectors: [],
        short_term_memory: state.stm,
        time: state.time,
      },
      session_id: session.id,
      node_id: session.nodeId,
    };
  });
}
