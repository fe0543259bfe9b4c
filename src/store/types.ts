/**
 * The store interface: what the server, trainer and generator persist. Per node (kb_id):
 * patterns, symbol statistics, the symbol → pattern index; plus sessions and the training ledger.
 */
import type {
  Emotives,
  Event,
  LearnItem,
  LearnOutcome,
  NodeTotals,
  PatternRecord,
  PrecomputedMetrics,
  SymbolStats,
} from '../engine/types.js';

/** Options of a learn: the emotive window the new records keep. */
export interface LearnOptions {
  /** Keep the last `persistence` emotive dicts per pattern. */
  persistence: number;
  /**
   * A key the write is applied under at most once: a learn repeated with the same key (a client
   * resending after a crash) returns the first learn's outcomes and changes nothing.
   */
  writeKey?: string;
}

/** One node's learn items inside a document commit. */
export interface NodeItems {
  kbId: string;
  items: LearnItem[];
}

/** A training document's patterns for every level, applied together with its ledger key. */
export interface DocumentCommit {
  /** Unique within the run: the document's raw cursor. */
  key: string;
  /** Position of the document in the run's stream order (orders the watermark). */
  seq: number;
  nodes: NodeItems[];
  /** Level-0 tokens of the document (run statistics). */
  tokens: number;
}

/** Where a run can resume: every document at or before `seq` is committed. */
export interface Watermark {
  seq: number;
  /** Raw cursor of the position right after the watermark document. */
  cursor: string;
}

/** A training run as the ledger records it. */
export interface RunRecord {
  run: string;
  configHash: string;
  config: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  watermark: Watermark | null;
  /** Documents applied (exactly once each). */
  docs: number;
  tokens: number;
}

/** The ledger's view of a run for resume: the watermark plus applied keys above it. */
export interface LedgerState {
  watermark: Watermark | null;
  appliedAbove: { key: string; seq: number }[];
}

/** Result of committing one document. */
export type CommitResult = 'applied' | 'duplicate';

/** A stored session: the server's record, opaque to the store, with its expiry. */
export interface SessionRow {
  id: string;
  nodeId: string;
  /** Expiry as epoch milliseconds. */
  expiresAt: number;
  record: Record<string, unknown>;
}

/** Per-node counts for inspection. */
export interface NodeSummary {
  kbId: string;
  patterns: number;
  totalFrequency: number;
}

/** Persistence behind one interface; SQLite is the embedded default. */
export interface Store {
  /**
   * Learns each item in order in one transaction (names computed when absent): frequency,
   * emotive window, metadata union, symbol statistics, the symbol index and, for items that
   * carry emotives, symbol affinities (KATO §7.4–7.5).
   */
  learn(kbId: string, items: LearnItem[], opts: LearnOptions): Promise<LearnOutcome[]>;
  getPattern(kbId: string, name: string): Promise<PatternRecord | null>;
  /** The patterns with these bare names that exist (missing names are absent from the map). */
  getPatterns(kbId: string, names: readonly string[]): Promise<Map<string, PatternRecord>>;
  /** Every pattern containing at least one of `symbols`, from the symbol index. */
  patternsWithAnySymbol(kbId: string, symbols: readonly string[]): Promise<PatternRecord[]>;
  /** Every pattern whose first event's first symbol is `symbol`. */
  patternsStartingWith(kbId: string, symbol: string): Promise<PatternRecord[]>;
  /** Every pattern of the node, ordered by name. */
  allPatterns(kbId: string): AsyncIterable<PatternRecord>;
  symbolStats(kbId: string, symbols: readonly string[]): Promise<Map<string, SymbolStats>>;
  /** Every symbol's statistics, ordered by symbol (code point order). */
  allSymbolStats(kbId: string): Promise<Map<string, SymbolStats>>;
  totals(kbId: string): Promise<NodeTotals>;
  summary(kbId: string): Promise<NodeSummary>;
  /** Affinities of the given symbols (all symbols with an affinity when omitted). */
  affinities(kbId: string, symbols?: readonly string[]): Promise<Map<string, Emotives>>;
  savePrecomputed(kbId: string, metrics: Map<string, PrecomputedMetrics>): Promise<void>;
  /** Deletes every pattern, statistic, affinity and vector of the node. */
  clearNode(kbId: string): Promise<void>;
  /** Every kb_id that holds data. */
  listNodes(): Promise<string[]>;

  /** Stored vectors of a node (name → components). */
  vectors(kbId: string): Promise<Map<string, number[]>>;
  addVectors(kbId: string, vectors: Map<string, number[]>): Promise<void>;

  getSession(id: string): Promise<SessionRow | null>;
  putSession(row: SessionRow): Promise<void>;
  deleteSession(id: string): Promise<boolean>;
  countSessions(): Promise<number>;
  /** Deletes sessions whose expiry passed; returns how many. */
  purgeExpiredSessions(now: number): Promise<number>;

  getRun(run: string): Promise<RunRecord | null>;
  createRun(run: string, configHash: string, config: Record<string, unknown>): Promise<RunRecord>;
  /** Deletes the run's ledger (its nodes are cleared separately with clearNode). */
  deleteRun(run: string): Promise<void>;
  listRuns(): Promise<RunRecord[]>;
  /**
   * Applies each document not yet in the run's ledger — its patterns on every node and its key —
   * in one transaction, and advances the watermark when given. Duplicates change nothing.
   */
  commitDocuments(run: string, docs: DocumentCommit[], opts: LearnOptions & { watermark?: Watermark }): Promise<CommitResult[]>;
  ledgerState(run: string): Promise<LedgerState>;

  close(): Promise<void>;

  // ── Server: deferred vectors ──────────────────────────────────────────────────────────────
  // KATO indexes a node's percept vectors only when the node next learns; until then they wait
  // here, so a restart between an observation and the learn loses nothing.

  /** Remembers a percept vector of the node until its next learn (a name already waiting is kept). */
  deferVector(kbId: string, name: string, components: readonly number[]): Promise<void>;
  /** The node's deferred vectors in the order they were observed. */
  deferredVectors(kbId: string): Promise<Map<string, number[]>>;
  /** Adds `vectors` to the node's stored vectors and forgets all its deferred ones, atomically. */
  indexDeferredVectors(kbId: string, vectors: ReadonlyMap<string, readonly number[]>): Promise<void>;

  // ── Server: session expiry ────────────────────────────────────────────────────────────────

  /** Moves a session's expiry without rewriting its record; false when the session is absent. */
  touchSession(id: string, expiresAt: number): Promise<boolean>;

  // ── Client and remote training: idempotency records, pattern pages ───────────────────────
  // A keyed write's reply is recorded under its key, so a resent write is answered, not applied
  // again; a node's patterns are read in pages so a remote reader can resume where it stopped.

  /** The reply recorded under an idempotency key, or null. */
  getIdempotency(key: string): Promise<IdempotencyRecord | null>;
  /** Records a reply; false (and the first record kept) when the key is already recorded. */
  putIdempotency(record: IdempotencyRecord): Promise<boolean>;
  /** Deletes the records created before `before` (epoch ms); returns how many. */
  purgeIdempotency(before: number): Promise<number>;
  /** Up to `limit` patterns of the node as (bare name, frequency), names after `after`, in name order. */
  patternCountsPage(kbId: string, after: string, limit: number): Promise<NamedFrequency[]>;

  // ── Predictions: a node's pattern log ─────────────────────────────────────────────────────
  // The prediction candidate index lives in memory and catches up by reading the rows added
  // since its last read; the pattern count and the names of rows it already holds, read in the
  // same snapshot, reveal a node cleared in between.

  /**
   * Up to `limit` patterns of the node with a row id above `afterId`, ascending, read in one
   * snapshot with the node's counters and the names of the `probeIds` rows that exist. Patterns
   * created by one learn call have higher row ids than those of every earlier call; among
   * themselves their order is the store's.
   */
  patternLog(kbId: string, afterId: number, limit: number, probeIds?: readonly number[]): Promise<PatternLogPage>;

  /** Name, frequency, emotives and stored metrics of the node's patterns with these row ids, by row id. */
  patternAnnotations(kbId: string, rowIds: readonly number[]): Promise<Map<number, PatternAnnotation>>;
}

/** What a pattern holds besides its events and metadata. */
export interface PatternAnnotation {
  /** Bare 40-hex name. */
  name: string;
  frequency: number;
  emotives: Emotives[];
  precomputed?: PrecomputedMetrics;
}

/** A pattern as the log holds it: its row id (ascending in insertion order), name and events. */
export interface PatternLogRow {
  id: number;
  name: string;
  events: Event[];
  /** Its frequency when the page was read. */
  frequency: number;
  /** Whether it holds emotives or stored metrics (read them with `patternAnnotations`). */
  annotated: boolean;
}

/** A page of a node's pattern log. */
export interface PatternLogPage {
  rows: PatternLogRow[];
  /** The node's counters in the page's snapshot (`totalUniquePatterns` = its number of patterns). */
  counters: Omit<NodeTotals, 'distinctSymbols'>;
  /**
   * How many writes had changed the node's stored patterns (counts, annotations) rather than only
   * added new ones: what a copy of the rows' frequencies is current for.
   */
  changes: number;
  /** Bare names of the probed row ids that belong to the node. */
  probes: Map<number, string>;
}

/** A keyed write's reply as the server recorded it. */
export interface IdempotencyRecord {
  key: string;
  /** What the key was used for (method and route); a key reused for another request is refused. */
  scope: string;
  status: number;
  contentType: string;
  body: string;
  /** Epoch milliseconds. */
  createdAt: number;
}

/** A pattern's bare name and frequency. */
export interface NamedFrequency {
  name: string;
  frequency: number;
}
