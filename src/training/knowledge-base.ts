/**
 * The KnowledgeBase the trainer talks to: runs, exactly-once document commits, the ledger and
 * per-node reads. `localKnowledgeBase` implements it over an in-process Store.
 */
import { defaultServiceName, kbIdFor } from '../engine/kb-id.js';
import { ConflictError } from '../errors.js';
import type { CommitResult, DocumentCommit, LedgerState, NodeSummary, RunRecord, Store, Watermark } from '../store/types.js';
import { runNodeId } from './nodes.js';

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
  /** Where the KB lives, as manifests record it (`local`, or the server's URL and protocol). */
  readonly location?: string;
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
   * Each document names its nodes by node id (`<run>/node<l>` in `kbId`).
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
// Levels probed when listing a run's nodes: far above any hierarchy anyone trains.
const MAX_LEVELS = 256;

/**
 * The embedded KnowledgeBase: training writes straight into `store`. Node ids (`<run>/node<l>`)
 * are stored under KATO's kb_id of the node id, so `kato serve` sessions on node_id
 * `<run>/node<l>` see exactly the patterns training learned there.
 */
export function localKnowledgeBase(store: Store, serviceName: string = defaultServiceName()): KnowledgeBase {
  const kb = (nodeId: string) => kbIdFor(nodeId, serviceName);
  return {
    location: 'local',
    getRun: (run) => store.getRun(run),
    listRuns: () => store.listRuns(),
    async createRun(run, hash, config) {
      // KATO's kb_id folds '-', '.' and '/' into '_': two such runs would share their nodes.
      const mine = kb(runNodeId(run, 0));
      const clash = (await store.listRuns()).find((other) => kb(runNodeId(other.run, 0)) === mine);
      if (clash) {
        throw new ConflictError(`run '${run}' would share its knowledge bases with run '${clash.run}' (kb_id ${mine}); choose another name`, {
          run,
          clash: clash.run,
        });
      }
      return store.createRun(run, hash, config);
    },
    async resetRun(run) {
      // The ledger goes first: a crash in between leaves orphan patterns, which a new run of the
      // same name refuses to build on (see openRun), never a ledger claiming missing patterns.
      await store.deleteRun(run);
      for (const nodeId of await this.runNodes(run)) await store.clearNode(kb(nodeId));
    },
    async runNodes(run) {
      const stored = new Set(await store.listNodes());
      const nodes: string[] = [];
      for (let level = 0; level < MAX_LEVELS; level++) {
        const nodeId = runNodeId(run, level);
        // One row tells whether the node holds data; counting a large node would scan it.
        if (stored.has(kb(nodeId)) && (await store.patternCountsPage(kb(nodeId), '', 1)).length > 0) nodes.push(nodeId);
      }
      return nodes;
    },
    commitDocuments: (run, docs, options) =>
      store.commitDocuments(
        run,
        docs.map((doc) => ({ ...doc, nodes: doc.nodes.map((n) => ({ kbId: kb(n.kbId), items: n.items })) })),
        options,
      ),
    ledgerState: (run) => store.ledgerState(run),
    summary: async (nodeId) => ({ ...(await store.summary(kb(nodeId))), kbId: nodeId }),
    async frequencies(nodeId, names) {
      const records = await store.getPatterns(kb(nodeId), names);
      return new Map([...records].map(([name, record]) => [name, record.frequency]));
    },
    async *patternCounts(nodeId) {
      // Pages of names and counts only: a digest never parses a pattern's events.
      let after = '';
      for (;;) {
        const page = await store.patternCountsPage(kb(nodeId), after, COUNT_PAGE);
        yield* page;
        if (page.length < COUNT_PAGE) return;
        after = page[page.length - 1].name;
      }
    },
    close: () => store.close(),
  };
}
