/**
 * The remote KnowledgeBase: the trainer's KB interface over the HTTP client and the server's
 * native training routes, so a remote run follows the same algorithm and ledger as an embedded one.
 */
import { HttpTransport, type ClientCounters, type TransportOptions } from '../client/transport.js';
import { TrainingClient, wireSize, type RunDigestResponse } from '../client/training.js';
import type { CommitResult, DocumentCommit } from '../store/types.js';
import type { KnowledgeBase } from './knowledge-base.js';

/** Options of a remote KB: the transport's, plus request sizing. */
export interface RemoteKnowledgeBaseOptions extends TransportOptions {
  /** Largest commit body sent in one request; a bigger batch goes as several (each document stays whole). */
  maxBodyBytes?: number;
  /** Patterns per page when listing a node. */
  pageSize?: number;
}

/** A KnowledgeBase served by a kato server, with the client's counters and the server-side digest. */
export interface RemoteKnowledgeBase extends KnowledgeBase {
  readonly counters: ClientCounters;
  readonly training: TrainingClient;
  /** The run's digest and per-level counts as the server computes them. */
  digest(run: string, levels: number): Promise<RunDigestResponse>;
}

const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Splits a batch into consecutive slices whose estimated bodies stay under `maxBytes`. */
export function commitSlices(docs: readonly DocumentCommit[], maxBytes: number): DocumentCommit[][] {
  const slices: DocumentCommit[][] = [];
  let current: DocumentCommit[] = [];
  let bytes = 0;
  for (const doc of docs) {
    const size = wireSize(doc);
    if (current.length > 0 && bytes + size > maxBytes) {
      slices.push(current);
      current = [];
      bytes = 0;
    }
    current.push(doc);
    bytes += size;
  }
  if (current.length > 0) slices.push(current);
  return slices;
}

/** Opens a remote KB on the server at `options.baseUrl` (nothing is sent until the first call). */
export function remoteKnowledgeBase(options: RemoteKnowledgeBaseOptions): RemoteKnowledgeBase {
  const transport = new HttpTransport({ connections: 4, ...options });
  const training = new TrainingClient(transport);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return {
    location: `server ${options.baseUrl}`,
    counters: transport.counters,
    training,
    getRun: (run) => training.getRun(run),
    listRuns: () => training.listRuns(),
    createRun: (run, hash, config) => training.createRun(run, hash, config),
    resetRun: (run) => training.resetRun(run),
    runNodes: (run) => training.runNodes(run),
    async commitDocuments(run, docs, commitOptions) {
      const results: CommitResult[] = [];
      const slices = commitSlices(docs, maxBodyBytes);
      for (let i = 0; i < slices.length; i++) {
        // Only the last slice may move the watermark: it names the position after the whole batch.
        const watermark = i === slices.length - 1 ? commitOptions.watermark : undefined;
        const reply = await training.commitDocuments(run, slices[i], commitOptions.persistence, watermark);
        results.push(...reply.results);
      }
      if (slices.length === 0 && commitOptions.watermark) {
        await training.commitDocuments(run, [], commitOptions.persistence, commitOptions.watermark);
      }
      return results;
    },
    ledgerState: (run) => training.ledgerState(run),
    summary: (nodeId) => training.nodeSummary(nodeId),
    frequencies: (nodeId, names) => training.frequencies(nodeId, names),
    patternCounts: (nodeId) => training.patternCounts(nodeId, options.pageSize),
    digest: (run, levels) => training.runDigest(run, levels),
    close: () => transport.close(),
  };
}
