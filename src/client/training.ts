/**
 * The native training routes seen from the client: runs, exactly-once document commits, the
 * ledger, node reads and the run digest, in the compact wire form the server's batch route reads.
 */
import type { LearnItem, PatternMetadata } from '../engine/types.js';
import type { CommitResult, DocumentCommit, LedgerState, NodeSummary, RunRecord, Watermark } from '../store/types.js';
import { newIdempotencyKey, type HttpTransport } from './transport.js';

/** A learn item on the wire: one symbol per event (`symbols`, the training shape) or explicit `events`. */
export type WireItem =
  | { symbols: string[]; metadata?: PatternMetadata }
  | { events: string[][]; metadata?: PatternMetadata };

/** A document commit on the wire: names are computed by the server, never trusted from the client. */
export interface WireDocument {
  key: string;
  seq: number;
  tokens: number;
  nodes: { node: string; items: WireItem[] }[];
}

/** `POST /training/runs/{run}/documents` body. */
export interface CommitDocumentsRequest {
  persistence: number;
  watermark?: Watermark;
  documents: WireDocument[];
}

/** `POST /training/runs/{run}/documents` reply: one result per document, in order. */
export interface CommitDocumentsResponse {
  results: CommitResult[];
  applied: number;
  duplicates: number;
}

/** One level of `GET /training/runs/{run}/digest`. */
export interface DigestLevel {
  level: number;
  nodeId: string;
  learned: number;
  distinct: number;
  dedup: number;
}

/** `GET /training/runs/{run}/digest` reply. */
export interface RunDigestResponse {
  run: RunRecord;
  digest: string;
  levels: DigestLevel[];
}

/** `GET /training/patterns` reply: a page of (bare name, frequency) in name order. */
export interface PatternPage {
  patterns: [string, number][];
  /** Name to pass as `after` for the next page; null on the last page. */
  next: string | null;
}

/** The wire form of a learn item. */
export function encodeItem(item: LearnItem): WireItem {
  const single = item.events.every((event) => event.length === 1);
  const base: WireItem = single ? { symbols: item.events.map((event) => event[0]) } : { events: item.events };
  if (item.metadata && Object.keys(item.metadata).length > 0) base.metadata = item.metadata;
  return base;
}

/** The wire form of a document commit. */
export function encodeDocument(doc: DocumentCommit): WireDocument {
  return {
    key: doc.key,
    seq: doc.seq,
    tokens: doc.tokens,
    nodes: doc.nodes.map((node) => ({ node: node.kbId, items: node.items.map(encodeItem) })),
  };
}

/** A rough size in bytes of a document's wire JSON, to keep request bodies bounded. */
export function wireSize(doc: DocumentCommit): number {
  let bytes = doc.key.length + 64;
  for (const node of doc.nodes) {
    bytes += node.kbId.length + 32;
    for (const item of node.items) {
      bytes += 24;
      for (const event of item.events) for (const symbol of event) bytes += symbol.length + 4;
    }
  }
  return bytes;
}

const run = (name: string): string => `/training/runs/${encodeURIComponent(name)}`;

/** Typed calls of the native training routes over one transport (and its retry policy). */
export class TrainingClient {
  constructor(readonly transport: HttpTransport) {}

  /** `GET /training/runs`. */
  async listRuns(): Promise<RunRecord[]> {
    return (await this.transport.send<{ runs: RunRecord[] }>({ method: 'GET', path: '/training/runs', kind: 'read' })).body.runs;
  }

  /** `GET /training/runs/{run}`: the run, or null when the server has none of that name. */
  async getRun(name: string): Promise<RunRecord | null> {
    const reply = await this.transport.send<{ run: RunRecord }>({ method: 'GET', path: run(name), kind: 'read', accept: [404] });
    return reply.status === 404 ? null : reply.body.run;
  }

  /** `POST /training/runs`: creates the run (a run of that name and config hash is returned as is; another hash is a 409). */
  async createRun(name: string, configHash: string, config: Record<string, unknown>): Promise<RunRecord> {
    const reply = await this.transport.send<{ run: RunRecord }>({
      method: 'POST',
      path: '/training/runs',
      body: { run: name, configHash, config },
      kind: 'write',
      idempotencyKey: newIdempotencyKey(),
    });
    return reply.body.run;
  }

  /** `POST /training/runs/{run}/reset`: deletes the run's ledger and clears its nodes. */
  async resetRun(name: string): Promise<void> {
    await this.transport.send({ method: 'POST', path: `${run(name)}/reset`, body: {}, kind: 'batch', idempotencyKey: newIdempotencyKey() });
  }

  /** `GET /training/runs/{run}/nodes`: the run's node ids holding data, by level. */
  async runNodes(name: string): Promise<string[]> {
    return (await this.transport.send<{ nodes: string[] }>({ method: 'GET', path: `${run(name)}/nodes`, kind: 'read' })).body.nodes;
  }

  /**
   * `POST /training/runs/{run}/documents`: applies the documents not yet in the ledger, each with
   * its key in one transaction. Keyed, so a resend after a lost reply applies nothing twice.
   */
  async commitDocuments(name: string, docs: readonly DocumentCommit[], persistence: number, watermark?: Watermark): Promise<CommitDocumentsResponse> {
    const body: CommitDocumentsRequest = { persistence, documents: docs.map(encodeDocument) };
    if (watermark) body.watermark = watermark;
    const reply = await this.transport.send<CommitDocumentsResponse>({
      method: 'POST',
      path: `${run(name)}/documents`,
      body,
      kind: 'batch',
      idempotencyKey: newIdempotencyKey(),
    });
    this.transport.counters.duplicateDocuments += reply.body.duplicates;
    return reply.body;
  }

  /** `GET /training/runs/{run}/ledger`: the watermark and the keys applied above it. */
  async ledgerState(name: string): Promise<LedgerState> {
    return (await this.transport.send<LedgerState>({ method: 'GET', path: `${run(name)}/ledger`, kind: 'read' })).body;
  }

  /** `GET /training/runs/{run}/digest?levels=N`: per-level counts and the digest, computed by the server. */
  async runDigest(name: string, levels: number): Promise<RunDigestResponse> {
    return (await this.transport.send<RunDigestResponse>({ method: 'GET', path: `${run(name)}/digest`, query: { levels }, kind: 'batch' })).body;
  }

  /** `GET /training/nodes/summary?node=…`. */
  async nodeSummary(node: string): Promise<NodeSummary> {
    return (await this.transport.send<NodeSummary>({ method: 'GET', path: '/training/nodes/summary', query: { node }, kind: 'read' })).body;
  }

  /** `POST /training/nodes/frequencies`: the frequency of each named pattern that exists (a read, keyed so it may be resent). */
  async frequencies(node: string, names: readonly string[]): Promise<Map<string, number>> {
    const reply = await this.transport.send<{ frequencies: Record<string, number> }>({
      method: 'POST',
      path: '/training/nodes/frequencies',
      body: { node, names },
      kind: 'read',
      idempotencyKey: newIdempotencyKey(),
    });
    return new Map(Object.entries(reply.body.frequencies));
  }

  /** `GET /training/patterns?node=…&after=…&limit=…`, page after page: every pattern as (name, frequency) in name order. */
  async *patternCounts(node: string, pageSize = 20_000): AsyncIterable<{ name: string; frequency: number }> {
    let after = '';
    for (;;) {
      const page = (
        await this.transport.send<PatternPage>({ method: 'GET', path: '/training/patterns', query: { node, after, limit: pageSize }, kind: 'batch' })
      ).body;
      for (const [name, frequency] of page.patterns) yield { name, frequency };
      if (page.next === null) return;
      after = page.next;
    }
  }
}
