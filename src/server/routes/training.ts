/**
 * Native training routes: runs, the batch route that applies whole documents (every level's
 * patterns plus the ledger key) in one store transaction, the ledger for resume, node reads, digest.
 */
import type { FastifyInstance } from 'fastify';
import { chunkEvents, patternName } from '../../engine/names.js';
import type { LearnItem, PatternMetadata } from '../../engine/types.js';
import type { DocumentCommit, NodeItems, Watermark } from '../../store/types.js';
import { runDigest } from '../../training/digest.js';
import { kbIdFor } from '../../engine/kb-id.js';
import { localKnowledgeBase } from '../../training/knowledge-base.js';
import { checkRunName, nodeLevel } from '../../training/nodes.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import { RequestValidationError } from '../validation.js';

/** Training bodies are large and plain (no floats to keep): their own limit, parsed with JSON.parse. */
const TRAINING_BODY_LIMIT = 256 * 1024 * 1024;
const MAX_PAGE = 100_000;
const MAX_NAMES = 1_000_000;

type Loc = (string | number)[];

function invalid(loc: Loc, msg: string, input: unknown): never {
  throw new RequestValidationError([{ type: 'value_error', loc, msg, input: typeof input === 'object' ? null : input }]);
}

function record(value: unknown, loc: Loc): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) invalid(loc, 'Input should be a valid dictionary', value);
  return value as Record<string, unknown>;
}

function text(value: unknown, loc: Loc, maxLength = 4096): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    invalid(loc, `Input should be a non-empty string of at most ${maxLength} characters`, value);
  }
  return value;
}

function count(value: unknown, loc: Loc, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    invalid(loc, `Input should be an integer from ${min} to ${max}`, value);
  }
  return value;
}

function strings(value: unknown, loc: Loc): string[] {
  if (!Array.isArray(value)) invalid(loc, 'Input should be a valid list', value);
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'string') invalid([...loc, i], 'Input should be a valid string', value[i]);
  return value as string[];
}

function metadataOf(value: unknown, loc: Loc): PatternMetadata | undefined {
  if (value === undefined) return undefined;
  const out: PatternMetadata = {};
  for (const [key, values] of Object.entries(record(value, loc))) out[key] = strings(values, [...loc, key]);
  return out;
}

/** A wire item as a learn item whose name the server computes (a client's name is never trusted). */
function learnItem(value: unknown, loc: Loc): LearnItem {
  const item = record(value, loc);
  let events: string[][];
  if (item.symbols !== undefined) events = chunkEvents(strings(item.symbols, [...loc, 'symbols']));
  else if (Array.isArray(item.events)) events = item.events.map((event, i) => strings(event, [...loc, 'events', i]));
  else invalid(loc, "Item should have 'symbols' (one symbol per event) or 'events'", null);
  let length = 0;
  for (const event of events) length += event.length;
  if (length < 2) invalid(loc, 'A pattern needs at least 2 symbols in total', null);
  const learn: LearnItem = { events, name: patternName(events) };
  const metadata = metadataOf(item.metadata, [...loc, 'metadata']);
  if (metadata && Object.keys(metadata).length > 0) learn.metadata = metadata;
  return learn;
}

/** The decoded body of the batch route, every node checked to belong to the run. */
export function decodeCommitBody(run: string, body: unknown): { persistence: number; watermark?: Watermark; docs: DocumentCommit[] } {
  const top = record(body, ['body']);
  const persistence = top.persistence === undefined ? 5 : count(top.persistence, ['body', 'persistence'], 1, 100);
  let watermark: Watermark | undefined;
  if (top.watermark !== undefined && top.watermark !== null) {
    const mark = record(top.watermark, ['body', 'watermark']);
    watermark = { seq: count(mark.seq, ['body', 'watermark', 'seq']), cursor: text(mark.cursor, ['body', 'watermark', 'cursor']) };
  }
  if (!Array.isArray(top.documents)) invalid(['body', 'documents'], 'Input should be a valid list', top.documents);
  const docs = top.documents.map((value, d): DocumentCommit => {
    const loc: Loc = ['body', 'documents', d];
    const doc = record(value, loc);
    if (!Array.isArray(doc.nodes)) invalid([...loc, 'nodes'], 'Input should be a valid list', doc.nodes);
    const nodes = doc.nodes.map((nodeValue, n): NodeItems => {
      const nodeLoc: Loc = [...loc, 'nodes', n];
      const node = record(nodeValue, nodeLoc);
      const kbId = text(node.node, [...nodeLoc, 'node']);
      if (nodeLevel(run, kbId) === undefined) invalid([...nodeLoc, 'node'], `Node should be one of run '${run}' (${run}/node<level>)`, kbId);
      if (!Array.isArray(node.items)) invalid([...nodeLoc, 'items'], 'Input should be a valid list', node.items);
      return { kbId, items: node.items.map((item, i) => learnItem(item, [...nodeLoc, 'items', i])) };
    });
    return { key: text(doc.key, [...loc, 'key']), seq: count(doc.seq, [...loc, 'seq']), tokens: count(doc.tokens, [...loc, 'tokens']), nodes };
  });
  return { persistence, watermark, docs };
}

/** Registers the native training routes in their own scope (JSON.parse bodies, plain JSON replies). */
export async function registerTrainingRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const kb = localKnowledgeBase(ctx.store, ctx.options.serviceName);
  const existingRun = async (run: string) => {
    const found = await kb.getRun(checkRunName(run));
    if (!found) throw new HttpError(404, `no run '${run}' on this server`);
    return found;
  };

  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: Math.max(TRAINING_BODY_LIMIT, ctx.options.bodyLimitBytes) }, (_request, raw, done) => {
      const body = raw as string;
      if (body.length === 0) return done(null, undefined);
      try {
        done(null, JSON.parse(body));
      } catch (err) {
        done(new RequestValidationError([{ type: 'json_invalid', loc: ['body'], msg: 'JSON decode error', input: {}, ctx: { error: (err as Error).message } }]), undefined);
      }
    });
    scope.setReplySerializer((payload) => JSON.stringify(payload));
    const tags = ['training'];

    scope.get('/training/runs', { schema: { tags, summary: 'Every training run' } }, async () => ({ runs: await kb.listRuns() }));

    scope.get('/training/runs/:run', { schema: { tags, summary: 'A training run and its ledger record' } }, async (request) => {
      return { run: await existingRun((request.params as { run: string }).run) };
    });

    scope.post('/training/runs', { schema: { tags, summary: 'Create a run (the same name and config hash again returns it)' } }, async (request, reply) => {
      const body = record(request.body, ['body']);
      const run = checkRunName(text(body.run, ['body', 'run'], 128));
      const configHash = text(body.configHash, ['body', 'configHash'], 256);
      const config = record(body.config, ['body', 'config']);
      const found = await kb.getRun(run);
      if (found) {
        if (found.configHash !== configHash) {
          throw new HttpError(409, `run '${run}' exists with another config (hash ${found.configHash.slice(0, 16)}…)`);
        }
        return { run: found, created: false };
      }
      reply.code(201);
      return { run: await kb.createRun(run, configHash, config), created: true };
    });

    scope.post('/training/runs/:run/reset', { schema: { tags, summary: "Delete a run's ledger and clear its nodes" } }, async (request) => {
      const run = checkRunName((request.params as { run: string }).run);
      await kb.resetRun(run);
      return { status: 'reset', run };
    });

    scope.get('/training/runs/:run/nodes', { schema: { tags, summary: "The run's nodes holding data, by level" } }, async (request) => {
      return { nodes: await kb.runNodes(checkRunName((request.params as { run: string }).run)) };
    });

    scope.get('/training/runs/:run/ledger', { schema: { tags, summary: 'Watermark and the document keys applied above it' } }, async (request) => {
      return kb.ledgerState(checkRunName((request.params as { run: string }).run));
    });

    scope.post(
      '/training/runs/:run/documents',
      { schema: { tags, summary: 'Apply documents (patterns of every level + ledger key) exactly once, in one transaction' } },
      async (request) => {
        const run = checkRunName((request.params as { run: string }).run);
        const { persistence, watermark, docs } = decodeCommitBody(run, request.body);
        await existingRun(run);
        const results = await kb.commitDocuments(run, docs, { persistence, watermark });
        const applied = results.filter((r) => r === 'applied').length;
        ctx.metrics.operations += applied;
        return { results, applied, duplicates: results.length - applied };
      },
    );

    scope.get('/training/runs/:run/digest', { schema: { tags, summary: "The run's per-level counts and digest" } }, async (request) => {
      const found = await existingRun((request.params as { run: string }).run);
      const query = request.query as { levels?: string };
      const configured = typeof found.config.levels === 'number' ? found.config.levels : 0;
      const levels = query.levels === undefined ? configured : count(Number(query.levels), ['query', 'levels'], 0, 1024);
      const { digest, levels: counts } = await runDigest(kb, found.run, levels);
      return { run: found, digest, levels: counts };
    });

    scope.get('/training/nodes/summary', { schema: { tags, summary: "A node's pattern count and total frequency" } }, async (request) => {
      const { node } = request.query as { node?: string };
      return kb.summary(text(node, ['query', 'node']));
    });

    scope.post(
      '/training/nodes/frequencies',
      { schema: { tags, summary: 'Frequencies of named patterns of a node' }, config: { idempotency: false } },
      async (request) => {
        const body = record(request.body, ['body']);
        const node = text(body.node, ['body', 'node']);
        const names = strings(body.names, ['body', 'names']);
        if (names.length > MAX_NAMES) invalid(['body', 'names'], `At most ${MAX_NAMES} names per call`, names.length);
        return { frequencies: Object.fromEntries(await kb.frequencies(node, names)) };
      },
    );

    scope.get('/training/patterns', { schema: { tags, summary: "A page of a node's patterns as (name, frequency), in name order" } }, async (request) => {
      const query = request.query as { node?: string; after?: string; limit?: string };
      const node = text(query.node, ['query', 'node']);
      const after = query.after ?? '';
      if (after !== '' && !/^[0-9a-f]{40}$/.test(after)) invalid(['query', 'after'], 'Input should be empty or a bare 40-hex pattern name', after);
      const limit = query.limit === undefined ? 10_000 : count(Number(query.limit), ['query', 'limit'], 1, MAX_PAGE);
      const page = await ctx.store.patternCountsPage(kbIdFor(node, ctx.options.serviceName), after, limit);
      return { patterns: page.map((p) => [p.name, p.frequency]), next: page.length === limit ? page[page.length - 1].name : null };
    });
  });
}
