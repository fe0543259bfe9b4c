/**
 * Node-scoped routes (spec §3.5): one pattern by either name form, symbol affinities and
 * statistics, and the deprecated node-level percept/cognition routes with their fixed replies.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bareName, isBareName, prefixedName } from '../../engine/names.js';
import type { ServerContext } from '../context.js';
import { requestNodeId } from '../kb-id.js';
import { nodeQuery } from '../schemas.js';

const DEPRECATED = (route: string) =>
  `This endpoint is deprecated. Use /sessions/{session_id}/${route} for session-aware data.`;

/** Registers the node-scoped routes. */
export function registerNodeRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const kbIdOf = (request: FastifyRequest): string =>
    ctx.nodes.kbId(requestNodeId(request.query as { node_id?: string }, request.headers));

  app.get('/pattern/:pattern_id', { schema: { querystring: nodeQuery, tags: ['nodes'], summary: 'One pattern (PTRN|<hash> or <hash>)' } }, async (request) => {
    const { pattern_id: id } = request.params as { pattern_id: string };
    const kbId = kbIdOf(request);
    const name = bareName(id);
    const record = isBareName(name) ? await ctx.store.getPattern(kbId, name) : null;
    if (!record) return { pattern: { status: 'error', message: `Pattern ${id} not found` }, node_id: kbId };
    return {
      pattern: {
        status: 'okay',
        pattern: {
          name: prefixedName(record.name),
          pattern_data: record.events,
          length: record.length,
          frequency: record.frequency,
          emotives: record.emotives,
          metadata: record.metadata,
        },
      },
      node_id: kbId,
    };
  });

  app.get('/symbols/affinity', { schema: { querystring: nodeQuery, tags: ['nodes'], summary: 'Emotive affinity of every symbol' } }, async (request) => {
    const kbId = kbIdOf(request);
    return { affinities: Object.fromEntries(await ctx.store.affinities(kbId)), node_id: kbId };
  });

  app.get('/symbols/:symbol/affinity', { schema: { querystring: nodeQuery, tags: ['nodes'], summary: 'Emotive affinity of one symbol' } }, async (request) => {
    const { symbol } = request.params as { symbol: string };
    const kbId = kbIdOf(request);
    const affinity = (await ctx.store.affinities(kbId, [symbol])).get(symbol) ?? {};
    return { symbol, affinity, node_id: kbId };
  });

  app.get('/symbols/stats', { schema: { querystring: nodeQuery, tags: ['nodes'], summary: 'Frequency statistics of every symbol' } }, async (request) => {
    const kbId = kbIdOf(request);
    const stats = await ctx.store.allSymbolStats(kbId);
    const symbols = Object.fromEntries(
      [...stats].map(([name, s]) => [name, { name, frequency: s.freq, pattern_member_frequency: s.pmf }]),
    );
    return { symbols, node_id: kbId };
  });

  app.get('/percept-data', { schema: { querystring: nodeQuery, tags: ['deprecated'], summary: 'Deprecated: use the session route' } }, async (request) => ({
    percept_data: {},
    node_id: kbIdOf(request),
    warning: DEPRECATED('percept-data'),
  }));

  app.get('/cognition-data', { schema: { querystring: nodeQuery, tags: ['deprecated'], summary: 'Deprecated: use the session route' } }, async (request) => ({
    cognition_data: {
      predictions: [],
      emotives: {},
      symbols: [],
      command: '',
      metadata: {},
      path: [],
      strings: [],
      vectors: [],
      short_term_memory: [],
    },
    node_id: kbIdOf(request),
    warning: DEPRECATED('cognition-data'),
  }));
}
