/**
 * The KnowledgeBase the trainer talks to: runs, exactly-once document commits, the ledger and
 * per-node reads. `localKnowledgeBase` implements it over an in-process Store.
 */
import type { CommitResult, DocumentCommit, LedgerState, NodeSummary, RunRecord, Store, Watermark } from '../store/types.js';
import { nodeLevel } from './nodes.js';

/** A pattern's bare name and frequency, as the digest reads them. */
export interface PatternCount {
  readonly name: string;
  readonly frequency: number;
}

/** Options of a document commit: the emotive window and the watermark to advance to. */
export interface CommitOptions {
  readonly persistence: number;
  readonly watermark?: Watermark;
}

/** What training needs from a knowledge base, local or remote. */
export interface KnowledgeBase {
  getRun(run: string): Promise<RunRecord | null>;
  /** Every run, ordered by name. */
  listRuns(): Promise<RunRecord[]>;
  createRun(run: string, configHash: string, config: Record<string, unknown>): Promise<RunRecord>;
  /** Deletes the run's ledger record, then clears every node of the run (`<run>/node<l>`). */
  resetRun(run: string): Promise<void>;
  /** Node ids of the run (`<run>/node<l>`) that hold data, sorted by level. */
  runNodes(run: string): Promise<string[]>;
  /**
   * Applies each document not yet in the run's ledger (its patterns on every node plus its key)
   * atomically per document, advancing the watermark when given; duplicates change nothing.
   */
  commitDocuments(run: string, docs: DocumentCommit[], options: CommitOptions): Promise<CommitResult[]>;
  ledgerState(run: string): Promise<LedgerState>;
  summary(nodeId: string): Promise<NodeSummary>;
  /** Current frequency of each named pattern that exists (bare names). */
  frequencies(nodeId: string, names: readonly string[]): Promise<Map<string, number>>;
  /** Every pattern of the node as (bare name, frequency), ordered by name. */
  patternCounts(nodeId: string): AsyncIterable<PatternCount>;
  close(): Promise<void>;
}

const COUNT_PAGE = 10_000;

/** The embedded KnowledgeBase: training writes straight into `store`. */
export function localKnowledgeBase(store: Store): KnowledgeBase {
  return {
    getRun: (run) => store.getRun(run),
    listRuns: () => store.listRuns(),
    createRun: (run, hash, config) => store.createRun(run, hash, config),
    async resetRun(run) {
      // The ledger goes first: a crash in between leaves orphan patterns, which a new run of the
      // same name refuses to build on (see openRun), never a ledger claiming missing patterns.
      await store.deleteRun(run);
      for (const nodeId of await this.runNodes(run)) await store.clearNode(nodeId);
    },
    async runNodes(run) {
      const nodes: { nodeId: string; level: number }[] = [];
      for (const nodeId of await store.listNodes()) {
        const level = nodeLevel(run, nodeId);
        // One row tells whether the node holds data; counting a large node would scan it.
        if (level !== undefined && (await store.patternCountsPage(nodeId, '', 1)).length > 0) nodes.push({ nodeId, level });
      }
      return nodes.sort((a, b) => a.level - b.level).map((n) => n.nodeId);
    },
    commitDocuments: (run, docs, options) => store.commitDocuments(run, docs, options),
    ledgerState: (run) => store.ledgerState(run),
    summary: (nodeId) => store.summary(nodeId),
    async frequencies(nodeId, names) {
      const records = await store.getPatterns(nodeId, names);
      return new Map([...records].map(([name, record]) => [name, record.frequency]));
    },
    async *patternCounts(nodeId) {
      // Pages of names and counts only: a digest never parses a pattern's events.
      let after = '';
      for (;;) {
        const page = await store.patternCountsPage(nodeId, after, COUNT_PAGE);
        yield* page;
        if (page.length < COUNT_PAGE) return;
        after = page[page.length - 1].name;
      }
    },
    close: () => store.close(),
  };
}
