/**
 * The embedded store: one SQLite file (WAL) holding every node's KB, the sessions and the
 * training ledger. Writes of one call happen in one IMMEDIATE transaction.
 */
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { KatoError, ValidationError } from '../../errors.js';
import {
  averageEmotives,
  carriesAnnotations,
  emotiveWindow,
  mergeMetadata,
} from '../../engine/learning.js';
import { isBareName, patternName } from '../../engine/names.js';
import type {
  Emotives,
  Event,
  LearnItem,
  LearnOutcome,
  NodeTotals,
  PatternMetadata,
  PatternRecord,
  PrecomputedMetrics,
  SymbolStats,
} from '../../engine/types.js';
import { compareCodePoints } from '../../engine/symbols.js';
import type {
  CommitResult,
  DocumentCommit,
  IdempotencyRecord,
  LearnOptions,
  NamedFrequency,
  LedgerState,
  PatternLogPage,
  NodeSummary,
  PatternAnnotation,
  RunRecord,
  SessionRow,
  Store,
  Watermark,
} from '../types.js';
import { MIGRATIONS, PAGE_SIZE, SCHEMA_SQL, SCHEMA_VERSION } from './schema.js';
import { indexedPatternsStartingWith, indexedPatternsWithAnySymbol } from '../node-index.js';

/** Options of the SQLite store. */
export interface SqliteStoreOptions {
  /** Page cache in MiB (default 2048): the learn path stays in memory while the KB fits. */
  cacheMiB?: number;
  readonly?: boolean;
}

interface PatternRow {
  id: number;
  name: Buffer;
  events: string;
  length: number;
  frequency: number;
  emotives: string | null;
  metadata: string | null;
  precomputed: string | null;
}

/** Rows per multi-row INSERT of the learn path (fewer statement calls, same rows). */
const ROWS_PER_INSERT = 64;
/** A node's remembered symbol ids are forgotten past this many (bounded memory). */
const MAX_CACHED_SYMBOLS = 1 << 21;
// A learn with this many symbols the connection has no id for reads all of the node's ids.
const LOAD_SYMBOLS_AT = 4096;
/**
 * WAL pages between automatic checkpoints (1 GiB of 16 KiB pages). Each training batch dirties
 * most pages of the name indexes, so a WAL that holds several batches copies each such page back
 * once for all of them, rather than once per batch: checkpoint work per token stays flat as the
 * KB grows instead of growing with its indexes.
 */
const WAL_AUTOCHECKPOINT = 65_536;
/** Bytes a WAL file is truncated to after a checkpoint empties it, so a data directory at rest stays small. */
const WAL_SIZE_LIMIT = 64 * 1024 * 1024;

const PATTERN_COLUMNS =
  'p.id, p.name, p.events, p.length, p.frequency + coalesce(i.frequency, 0) AS frequency, p.emotives, p.metadata, p.precomputed';
/** Joins each pattern row `p` to its increments `i`. */
const PATTERN_INCREMENTS = 'LEFT JOIN pattern_increments i ON i.id = p.id';
/** A symbol row's statistics with its increments (`symbols s LEFT JOIN symbol_increments i`). */
const SYMBOL_STATS = 's.symbol, s.freq + coalesce(i.freq, 0) AS freq, s.pmf + coalesce(i.pmf, 0) AS pmf';
const SYMBOL_INCREMENTS = 'LEFT JOIN symbol_increments i ON i.id = s.id';
const PAGE = 1000;

function toRecord(row: PatternRow): PatternRecord {
  const record: PatternRecord = {
    name: row.name.toString('hex'),
    events: JSON.parse(row.events),
    length: row.length,
    frequency: row.frequency,
    emotives: row.emotives ? JSON.parse(row.emotives) : [],
    metadata: row.metadata ? JSON.parse(row.metadata) : {},
  };
  if (row.precomputed) record.precomputed = JSON.parse(row.precomputed);
  return record;
}

/**
 * The symbol ids of one node this connection has seen committed, valid while the node's epoch is
 * unchanged (deleting a node's symbols bumps it). Lets the learn path update symbols by row id.
 */
interface SymbolIds {
  epoch: number;
  ids: Map<string, number>;
  /** True while `ids` holds every symbol of the node: an id it lacks is a new symbol. */
  complete: boolean;
}

/** A symbol's statistics change within one learn call, and its row id once written. */
interface SymbolDelta {
  symbol: string;
  freq: number;
  pmf: number;
  id: number;
}

/** The number of symbols of a pattern to learn, refused when fewer than 2. */
function checkedLength(events: readonly (readonly string[])[]): number {
  let length = 0;
  for (const event of events) length += event.length;
  if (length < 2) throw new ValidationError('a pattern needs at least 2 symbols in total', { events });
  return length;
}

/** A distinct name of a run of plain learn items: its events as JSON, stored row and item count. */
interface PlainEntry {
  name: string;
  json: string;
  length: number;
  id: number;
  stored: number;
  count: number;
}

/**
 * The entries ordered by the first 32 bits of their names (ties in entry order): close enough to
 * name order for inserts to walk the name index page after page, and a numeric sort.
 */
function inNameOrder(entries: readonly PlainEntry[]): PlainEntry[] {
  if (entries.length > 2 ** 21) return [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const keys = new Float64Array(entries.length);
  for (let k = 0; k < entries.length; k++) keys[k] = parseInt(entries[k].name.slice(0, 8), 16) * 2 ** 21 + k;
  keys.sort();
  const ordered: PlainEntry[] = new Array(entries.length);
  for (let k = 0; k < entries.length; k++) ordered[k] = entries[keys[k] % 2 ** 21];
  return ordered;
}

/** What a learn call has done so far. */
interface Learned {
  outcomes: LearnOutcome[];
  /** Summed over the call, so each distinct symbol costs one write. */
  symbolDelta: Map<string, SymbolDelta>;
  totalSymbols: number;
  newPatterns: number;
  /** Whether a stored pattern changed (its count or annotations), not only new ones added. */
  changed: boolean;
}

function checkedName(name: string): string {
  if (!isBareName(name)) throw new ValidationError(`not a pattern name: ${JSON.stringify(name)}`, { name });
  return name;
}

function nameBlob(name: string): Buffer {
  return Buffer.from(checkedName(name), 'hex');
}

function nowIso(): string {
  return new Date().toISOString();
}

/** Opens (creating if needed) the SQLite store at `path`. */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: options.readonly ?? false });
  return new SqliteStore(db, options);
}

/** The SQLite implementation of `Store`. */
export class SqliteStore implements Store {
  readonly db: SqliteDatabase;
  private readonly nodeIds = new Map<string, number>();
  private readonly stmt: Record<string, Statement>;
  /** Symbol ids per node id, as committed. */
  private readonly symbolIds = new Map<number, SymbolIds>();
  /** Symbol ids learned by the open write transaction, remembered only once it commits. */
  private pendingSymbolIds: { node: number; epoch: number; ids: [string, number][] }[] = [];
  /** `PRAGMA data_version` as of this connection's last write transaction. */
  private dataVersion = -1;
  /** Multi-row statements by row count. */
  private readonly insertSymbolsOf = new Map<number, Statement>();
  private readonly insertPatternsOf = new Map<number, Statement>();

  constructor(db: SqliteDatabase, options: SqliteStoreOptions = {}) {
    this.db = db;
    db.pragma('busy_timeout = 30000');
    if (!options.readonly) {
      // Only a new database takes the page size; an existing one keeps its own.
      db.pragma(`page_size = ${PAGE_SIZE}`);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT}`);
      db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
    }
    db.pragma(`cache_size = ${-1024 * (options.cacheMiB ?? 2048)}`);
    db.pragma('temp_store = MEMORY');
    if (!options.readonly) this.migrate();
    const s = (sql: string) => db.prepare(sql);
    this.stmt = {
      nodeByKb: s('SELECT id FROM nodes WHERE kb_id = ?'),
      insertNode: s('INSERT INTO nodes (kb_id) VALUES (?) ON CONFLICT (kb_id) DO NOTHING'),
      // A plain insert reports its row id without RETURNING (which costs as much as the insert);
      // a pattern already stored is then counted by row id.
      insertPattern: s(
        `INSERT INTO patterns (node, name, events, length, frequency, emotives, metadata)
         VALUES (?, ?, ?, ?, 1, ?, ?) ON CONFLICT (node, name) DO NOTHING`,
      ),
      storedPattern: s(
        `SELECT p.id, p.frequency + coalesce(i.frequency, 0) AS frequency FROM patterns p ${PATTERN_INCREMENTS}
         WHERE p.node = ? AND p.name = ?`,
      ),
      // The names of a multi-row insert that it skipped (those not among the rows with the ids it
      // gave, a range read of fresh pages), each read back by name: stored before the insert.
      skippedPatterns: s(
        `WITH skipped AS MATERIALIZED (
           SELECT value FROM json_each(?) WHERE unhex(value) NOT IN (SELECT name FROM patterns WHERE id BETWEEN ? AND ?)
         )
         SELECT p.id, p.name, p.frequency + coalesce(i.frequency, 0) AS frequency
         FROM skipped JOIN patterns p ON p.node = ? AND p.name = unhex(skipped.value) ${PATTERN_INCREMENTS}`,
      ),
      addPatternCount: s(
        `INSERT INTO pattern_increments (id, frequency) VALUES (?, ?)
         ON CONFLICT (id) DO UPDATE SET frequency = frequency + excluded.frequency`,
      ),
      annotations: s('SELECT emotives, metadata FROM patterns WHERE id = ?'),
      setAnnotations: s('UPDATE patterns SET emotives = ?, metadata = ? WHERE id = ?'),
      nodeEpoch: s('SELECT epoch FROM nodes WHERE id = ?'),
      anySymbol: s('SELECT 1 FROM symbols WHERE node = ? LIMIT 1'),
      nodeSymbolIds: s('SELECT id, symbol FROM symbols WHERE node = ? LIMIT ?'),
      symbolIdsOf: s('SELECT id, symbol FROM symbols WHERE node = ? AND symbol IN (SELECT value FROM json_each(?))'),
      maxSymbolId: s('SELECT coalesce(max(id), 0) AS id FROM symbols'),
      addSymbolStats: s(
        `INSERT INTO symbol_increments (id, freq, pmf) VALUES (?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET freq = freq + excluded.freq, pmf = pmf + excluded.pmf`,
      ),
      addTotals: s(
        `UPDATE nodes SET total_symbols = total_symbols + ?, total_pattern_frequencies = total_pattern_frequencies + ?,
         total_unique_patterns = total_unique_patterns + ?, changes = changes + ? WHERE id = ?`,
      ),
      addChange: s('UPDATE nodes SET changes = changes + 1 WHERE id = ?'),
      addAffinity: s(
        `INSERT INTO affinity (node, symbol, emotive, value) VALUES (?, ?, ?, ?)
         ON CONFLICT (node, symbol, emotive) DO UPDATE SET value = value + excluded.value`,
      ),
      patternByName: s(`SELECT ${PATTERN_COLUMNS} FROM patterns p ${PATTERN_INCREMENTS} WHERE p.node = ? AND p.name = ?`),
      patternsByNames: s(
        `SELECT ${PATTERN_COLUMNS} FROM patterns p ${PATTERN_INCREMENTS}
         WHERE p.node = ? AND p.name IN (SELECT unhex(value) FROM json_each(?))`,
      ),
      patternPage: s(
        `SELECT ${PATTERN_COLUMNS} FROM patterns p ${PATTERN_INCREMENTS} WHERE p.node = ? AND p.name > ? ORDER BY p.name LIMIT ${PAGE}`,
      ),
      symbolStats: s(
        `SELECT ${SYMBOL_STATS} FROM symbols s ${SYMBOL_INCREMENTS} WHERE s.node = ? AND s.symbol IN (SELECT value FROM json_each(?))`,
      ),
      allSymbolStats: s(`SELECT ${SYMBOL_STATS} FROM symbols s ${SYMBOL_INCREMENTS} WHERE s.node = ?`),
      totals: s(
        `SELECT total_symbols, total_pattern_frequencies, total_unique_patterns,
         (SELECT count(*) FROM symbols WHERE node = nodes.id) AS distinct_symbols FROM nodes WHERE id = ?`,
      ),
      summary: s(
        `SELECT count(*) AS patterns, coalesce(sum(p.frequency + coalesce(i.frequency, 0)), 0) AS total
         FROM patterns p ${PATTERN_INCREMENTS} WHERE p.node = ?`,
      ),
      affinityOf: s(
        `SELECT symbol, emotive, value FROM affinity WHERE node = ? AND symbol IN (SELECT value FROM json_each(?))
         ORDER BY symbol, emotive`,
      ),
      allAffinity: s('SELECT symbol, emotive, value FROM affinity WHERE node = ? ORDER BY symbol, emotive'),
      setPrecomputed: s('UPDATE patterns SET precomputed = ? WHERE node = ? AND name = ?'),
      listNodes: s('SELECT kb_id FROM nodes ORDER BY kb_id'),
      vectors: s('SELECT name, components FROM vectors WHERE node = ? ORDER BY name'),
      addVector: s('INSERT INTO vectors (node, name, components) VALUES (?, ?, ?) ON CONFLICT (node, name) DO NOTHING'),
      getSession: s('SELECT id, node_id, expires_at, record FROM sessions WHERE id = ?'),
      putSession: s(
        `INSERT INTO sessions (id, node_id, expires_at, record) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET node_id = excluded.node_id, expires_at = excluded.expires_at, record = excluded.record`,
      ),
      deleteSession: s('DELETE FROM sessions WHERE id = ?'),
      countSessions: s('SELECT count(*) AS n FROM sessions'),
      purgeSessions: s('DELETE FROM sessions WHERE expires_at <= ?'),
      getRun: s('SELECT * FROM runs WHERE run = ?'),
      listRuns: s('SELECT * FROM runs ORDER BY run'),
      createRun: s(
        `INSERT INTO runs (run, config_hash, config, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
      ),
      deleteRun: s('DELETE FROM runs WHERE run = ?'),
      deleteLedger: s('DELETE FROM ledger WHERE run = ?'),
      ledgerInsert: s('INSERT INTO ledger (run, key, seq) VALUES (?, ?, ?) ON CONFLICT (run, key) DO NOTHING'),
      runAdd: s('UPDATE runs SET docs = docs + ?, tokens = tokens + ?, updated_at = ? WHERE run = ?'),
      runWatermark: s('UPDATE runs SET wm_seq = ?, wm_cursor = ?, updated_at = ? WHERE run = ?'),
      ledgerAbove: s('SELECT key, seq FROM ledger WHERE run = ? AND seq > ? ORDER BY seq'),
    };
  }

  private migrate(): void {
    this.db.exec(SCHEMA_SQL);
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
    if (!row) {
      this.db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?)").run(String(SCHEMA_VERSION));
      return;
    }
    for (let version = Number(row.value); version < SCHEMA_VERSION && MIGRATIONS[version] !== undefined; version++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[version]);
        this.db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(String(version + 1));
      }).immediate();
      row.value = String(version + 1);
    }
    if (Number(row.value) !== SCHEMA_VERSION) {
      throw new ValidationError(
        `data directory has schema version ${row.value}; this kato-ts reads version ${SCHEMA_VERSION}`,
        { found: row.value, expected: SCHEMA_VERSION },
      );
    }
  }

  /** The node's integer id, or undefined when the node has never been written. */
  private nodeId(kbId: string): number | undefined {
    let id = this.nodeIds.get(kbId);
    if (id === undefined) {
      const row = this.stmt.nodeByKb.get(kbId) as { id: number } | undefined;
      if (!row) return undefined;
      id = row.id;
      this.nodeIds.set(kbId, id);
    }
    return id;
  }

  private ensureNode(kbId: string): number {
    const existing = this.nodeId(kbId);
    if (existing !== undefined) return existing;
    this.stmt.insertNode.run(kbId);
    return this.nodeId(kbId)!;
  }

  /**
   * Applies learn items to one node; must run inside a transaction. Runs of items without emotives
   * or metadata (the training path) go through `learnPlain`; the others are learned one by one.
   */
  private learnInTransaction(kbId: string, items: readonly LearnItem[], persistence: number): LearnOutcome[] {
    const node = this.ensureNode(kbId);
    const learned: Learned = { outcomes: [], symbolDelta: new Map(), totalSymbols: 0, newPatterns: 0, changed: false };
    for (let start = 0; start < items.length; ) {
      let end = start;
      while (end < items.length && !carriesAnnotations(items[end].emotives, items[end].metadata)) end++;
      if (end > start) {
        this.learnPlain(node, items, start, end, learned);
        start = end;
      } else {
        this.learnAnnotated(node, items[start], persistence, learned);
        start++;
      }
    }
    this.applySymbolDeltas(node, learned.symbolDelta);
    this.stmt.addTotals.run(learned.totalSymbols, learned.newPatterns, learned.newPatterns, learned.changed ? 1 : 0, node);
    return learned.outcomes;
  }

  /**
   * Learns `items[start, end)`, none annotated. Their distinct names are inserted in name order, so
   * the name index is written page after page rather than at random, many rows per statement,
   * each with the number of items of its name as frequency, skipping stored names. A statement
   * that inserts fewer rows than it was given finds the names it skipped by reading the rows it
   * inserted (their ids are consecutive), and reads only those back by name. Outcomes and
   * frequencies follow item order: the first item of a name not stored before creates its
   * pattern, every other one re-learns it.
   */
  private learnPlain(node: number, items: readonly LearnItem[], start: number, end: number, learned: Learned): void {
    const byName = new Map<string, PlainEntry>();
    const entries: PlainEntry[] = [];
    // Per item, its name's entry.
    const itemEntries: PlainEntry[] = [];
    for (let i = start; i < end; i++) {
      const { events, name: given } = items[i];
      const length = checkedLength(events);
      const name = given === undefined ? patternName(events) : checkedName(given);
      let entry = byName.get(name);
      if (entry) entry.count++;
      else {
        entry = { name, json: JSON.stringify(events), length, id: 0, stored: 0, count: 1 };
        byName.set(name, entry);
        entries.push(entry);
      }
      itemEntries.push(entry);
    }
    const ordered = inNameOrder(entries);
    for (let first = 0; first < ordered.length; first += ROWS_PER_INSERT) {
      const group = ordered.slice(first, first + ROWS_PER_INSERT);
      const args: unknown[] = [];
      for (const { name, json, length, count } of group) args.push(node, name, json, length, count);
      const result = this.insertPatterns(group.length).run(args);
      if (result.changes === group.length) continue;
      // Rows this statement inserted have the highest ids, one after another (none: an empty range).
      const lastNew = result.changes === 0 ? 0 : Number(result.lastInsertRowid);
      const firstNew = result.changes === 0 ? 1 : lastNew - result.changes + 1;
      const groupNames = JSON.stringify(group.map((entry) => entry.name));
      const skipped = this.stmt.skippedPatterns.all(groupNames, firstNew, lastNew, node) as {
        id: number;
        name: Buffer;
        frequency: number;
      }[];
      if (skipped.length !== group.length - result.changes) {
        // The transaction rolls back: the learn changes nothing.
        const message = `a pattern insert skipped ${group.length - result.changes} names, but ${skipped.length} are stored`;
        throw new KatoError('STORE_INCONSISTENT', message, { node });
      }
      for (const row of skipped) {
        const entry = byName.get(row.name.toString('hex'))!;
        entry.id = row.id;
        entry.stored = row.frequency;
      }
    }
    for (const entry of entries) {
      if (entry.stored === 0) continue;
      this.stmt.addPatternCount.run(entry.id, entry.count);
      learned.changed = true;
    }
    // Outcomes in item order; `count` now counts the items of each name already learned.
    for (const entry of entries) entry.count = 0;
    for (let k = 0; k < itemEntries.length; k++) {
      const entry = itemEntries[k];
      entry.count++;
      this.countLearned(learned, entry.name, items[start + k].events, entry.stored + entry.count, entry.stored === 0 && entry.count === 1);
    }
  }

  /** The multi-row insert of `count` unannotated patterns (with their frequencies) that skips stored names. */
  private insertPatterns(count: number): Statement {
    let statement = this.insertPatternsOf.get(count);
    if (!statement) {
      const values = new Array(count).fill('(?, unhex(?), ?, ?, ?)').join(', ');
      statement = this.db.prepare(
        `INSERT INTO patterns (node, name, events, length, frequency) VALUES ${values} ON CONFLICT (node, name) DO NOTHING`,
      );
      this.insertPatternsOf.set(count, statement);
    }
    return statement;
  }

  /** Learns one item that carries emotives or metadata. */
  private learnAnnotated(node: number, item: LearnItem, persistence: number, learned: Learned): void {
    const length = checkedLength(item.events);
    const name = item.name === undefined ? patternName(item.events) : checkedName(item.name);
    const emotives = item.emotives ?? [];
    const metadata = item.metadata ?? {};
    const blob = Buffer.from(name, 'hex');
    const inserted = this.stmt.insertPattern.run(
      node,
      blob,
      JSON.stringify(item.events),
      length,
      JSON.stringify(emotiveWindow(emotives, persistence)),
      JSON.stringify(metadata),
    );
    const isNew = inserted.changes === 1;
    let frequency = 1;
    if (!isNew) {
      learned.changed = true;
      const row = this.stmt.storedPattern.get(node, blob) as { id: number; frequency: number };
      frequency = row.frequency + 1;
      this.stmt.addPatternCount.run(row.id, 1);
      const stored = this.stmt.annotations.get(row.id) as { emotives: string | null; metadata: string | null };
      const storedEmotives: Emotives[] = stored.emotives ? JSON.parse(stored.emotives) : [];
      const storedMetadata: PatternMetadata = stored.metadata ? JSON.parse(stored.metadata) : {};
      this.stmt.setAnnotations.run(
        JSON.stringify(emotiveWindow([...storedEmotives, ...emotives], persistence)),
        JSON.stringify(mergeMetadata(storedMetadata, metadata)),
        row.id,
      );
    }
    const distinct = this.countLearned(learned, name, item.events, frequency, isNew);
    if (emotives.length > 0) {
      const average = averageEmotives(emotives);
      for (const symbol of distinct) {
        for (const [emotive, value] of Object.entries(average)) this.stmt.addAffinity.run(node, symbol, emotive, value);
      }
    }
  }

  /**
   * Records one learned item: its outcome, the node totals, and its symbols' deltas (freq per
   * occurrence, pmf once per distinct symbol of a new pattern). Returns the distinct symbols.
   */
  private countLearned(learned: Learned, name: string, events: readonly Event[], frequency: number, isNew: boolean): string[] {
    const distinct: string[] = [];
    let length = 0;
    for (const event of events) {
      length += event.length;
      for (const symbol of event) {
        let delta = learned.symbolDelta.get(symbol);
        if (!delta) learned.symbolDelta.set(symbol, (delta = { symbol, freq: 0, pmf: 0, id: 0 }));
        delta.freq += 1;
        if (!distinct.includes(symbol)) {
          distinct.push(symbol);
          if (isNew) delta.pmf += 1;
        }
      }
    }
    learned.totalSymbols += length;
    if (isNew) learned.newPatterns++;
    learned.outcomes.push({ name, frequency, created: isNew });
    return distinct;
  }

  /** The node's remembered symbol ids, emptied when the node's epoch moved on. */
  private knownSymbolIds(node: number, epoch: number): SymbolIds {
    let known = this.symbolIds.get(node);
    if (!known || known.epoch !== epoch || known.ids.size > MAX_CACHED_SYMBOLS) {
      // A node this connection has not written yet is complete when it has no symbols.
      const empty = this.stmt.anySymbol.get(node) === undefined;
      this.symbolIds.set(node, (known = { epoch, ids: new Map(), complete: empty }));
    }
    return known;
  }

  /**
   * Loads every symbol id of the node, making its remembered ids complete, unless it has more
   * than can be remembered.
   */
  private loadSymbolIds(node: number, known: SymbolIds): void {
    const rows = this.stmt.nodeSymbolIds.all(node, MAX_CACHED_SYMBOLS + 1) as { id: number; symbol: string }[];
    if (rows.length > MAX_CACHED_SYMBOLS) return;
    known.ids.clear();
    for (const { id, symbol } of rows) known.ids.set(symbol, id);
    known.complete = true;
  }

  /** Called first in every write transaction: another connection's commit may have added symbols. */
  private noteOtherWriters(): void {
    const version = this.db.pragma('data_version', { simple: true }) as number;
    if (version !== this.dataVersion) {
      for (const known of this.symbolIds.values()) known.complete = false;
      this.dataVersion = version;
    }
  }

  /**
   * Adds the deltas to the node's symbol rows and sets each delta's row id: known symbols are
   * updated by row id, the others looked up by name, and the missing ones inserted many rows per
   * statement with the ids SQLite would give them (one past the largest).
   */
  private applySymbolDeltas(node: number, deltas: Map<string, SymbolDelta>): void {
    if (deltas.size === 0) return;
    const epoch = (this.stmt.nodeEpoch.get(node) as { epoch: number }).epoch;
    const known = this.knownSymbolIds(node, epoch);
    let unknown: string[] = [];
    for (const delta of deltas.values()) {
      const id = known.ids.get(delta.symbol);
      if (id === undefined) unknown.push(delta.symbol);
      else delta.id = id;
    }
    // Many unknown symbols are cheaper to resolve by reading all of the node's ids once.
    if (!known.complete && unknown.length >= LOAD_SYMBOLS_AT) {
      this.loadSymbolIds(node, known);
      if (known.complete) {
        const missing: string[] = [];
        for (const symbol of unknown) {
          const id = known.ids.get(symbol);
          if (id === undefined) missing.push(symbol);
          else deltas.get(symbol)!.id = id;
        }
        unknown = missing;
      }
    }
    const learned: [string, number][] = [];
    if (unknown.length > 0 && !known.complete) {
      unknown.sort();
      for (const row of this.stmt.symbolIdsOf.all(node, JSON.stringify(unknown)) as { id: number; symbol: string }[]) {
        deltas.get(row.symbol)!.id = row.id;
        learned.push([row.symbol, row.id]);
      }
    }
    const fresh: SymbolDelta[] = [];
    const stored: SymbolDelta[] = [];
    for (const delta of deltas.values()) {
      if (delta.id === 0) fresh.push(delta);
      else stored.push(delta);
    }
    // In row order, the increments are written page after page.
    stored.sort((a, b) => a.id - b.id);
    for (const delta of stored) this.stmt.addSymbolStats.run(delta.id, delta.freq, delta.pmf);
    if (fresh.length > 0) {
      // In symbol order, the inserts write the symbol index page after page (the default sort
      // compares strings natively, in the order of \`<\`).
      const order = fresh.map((delta) => delta.symbol).sort();
      for (let k = 0; k < order.length; k++) fresh[k] = deltas.get(order[k])!;
      let next = (this.stmt.maxSymbolId.get() as { id: number }).id;
      for (const delta of fresh) {
        delta.id = ++next;
        learned.push([delta.symbol, delta.id]);
      }
      this.insertRows(this.insertSymbolsOf, fresh, 5, 'INSERT INTO symbols (id, node, symbol, freq, pmf) VALUES', (args, delta) =>
        args.push(delta.id, node, delta.symbol, delta.freq, delta.pmf),
      );
    }
    if (learned.length > 0) this.pendingSymbolIds.push({ node, epoch, ids: learned });
  }

  /** Inserts `rows` with multi-row statements of up to ROWS_PER_INSERT rows of `columns` values. */
  private insertRows<T>(
    statements: Map<number, Statement>,
    rows: readonly T[],
    columns: number,
    insert: string,
    bind: (args: unknown[], row: T) => void,
  ): void {
    for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
      const count = Math.min(ROWS_PER_INSERT, rows.length - start);
      let statement = statements.get(count);
      if (!statement) {
        const tuple = `(${new Array(columns).fill('?').join(', ')})`;
        statements.set(count, (statement = this.db.prepare(`${insert} ${new Array(count).fill(tuple).join(', ')}`)));
      }
      const args: unknown[] = [];
      for (let i = start; i < start + count; i++) bind(args, rows[i]);
      statement.run(args);
    }
  }

  /**
   * Runs a write transaction that may create nodes and symbols; the ids it learned are remembered
   * only if it commits (a rolled-back insert's id may be given to another row later).
   */
  private writeTransaction<T>(body: () => T): T {
    this.pendingSymbolIds = [];
    let result: T;
    try {
      result = this.db
        .transaction(() => {
          this.noteOtherWriters();
          return body();
        })
        .immediate();
    } catch (error) {
      this.pendingSymbolIds = [];
      // A node created by the rolled-back transaction does not exist: its remembered id must go.
      this.nodeIds.clear();
      throw error;
    }
    for (const { node, epoch, ids } of this.pendingSymbolIds) {
      const known = this.symbolIds.get(node);
      if (!known || known.epoch !== epoch) continue;
      for (const [symbol, id] of ids) known.ids.set(symbol, id);
    }
    this.pendingSymbolIds = [];
    return result;
  }

  async learn(kbId: string, items: LearnItem[], opts: LearnOptions): Promise<LearnOutcome[]> {
    const { writeKey } = opts;
    return this.writeTransaction(() => {
      if (writeKey === undefined) return this.learnInTransaction(kbId, items, opts.persistence);
      // The key is recorded in the learn's own transaction: applied once, whatever crashes.
      const applied = this.db.prepare('SELECT outcomes FROM applied_writes WHERE key = ?').get(writeKey) as { outcomes: string } | undefined;
      if (applied) return JSON.parse(applied.outcomes) as LearnOutcome[];
      const outcomes = this.learnInTransaction(kbId, items, opts.persistence);
      this.db.prepare('INSERT INTO applied_writes (key, outcomes, created_at) VALUES (?, ?, ?)').run(writeKey, JSON.stringify(outcomes), Date.now());
      return outcomes;
    });
  }

  async getPattern(kbId: string, name: string): Promise<PatternRecord | null> {
    const node = this.nodeId(kbId);
    if (node === undefined || !isBareName(name)) return null;
    const row = this.stmt.patternByName.get(node, Buffer.from(name, 'hex')) as PatternRow | undefined;
    return row ? toRecord(row) : null;
  }

  async getPatterns(kbId: string, names: readonly string[]): Promise<Map<string, PatternRecord>> {
    const out = new Map<string, PatternRecord>();
    const node = this.nodeId(kbId);
    const valid = names.filter(isBareName);
    if (node === undefined || valid.length === 0) return out;
    for (const row of this.stmt.patternsByNames.all(node, JSON.stringify(valid)) as PatternRow[]) {
      const record = toRecord(row);
      out.set(record.name, record);
    }
    return out;
  }

  // The symbol → pattern index is the in-memory one every prediction reads, caught up from the
  // pattern log; a learn writes nothing for it.
  async patternsWithAnySymbol(kbId: string, symbols: readonly string[]): Promise<PatternRecord[]> {
    if (this.nodeId(kbId) === undefined || symbols.length === 0) return [];
    return indexedPatternsWithAnySymbol(this, kbId, symbols);
  }

  async patternsStartingWith(kbId: string, symbol: string): Promise<PatternRecord[]> {
    if (this.nodeId(kbId) === undefined) return [];
    return indexedPatternsStartingWith(this, kbId, symbol);
  }

  async *allPatterns(kbId: string): AsyncIterable<PatternRecord> {
    const node = this.nodeId(kbId);
    if (node === undefined) return;
    // Keyset pages: the connection is never held by an open cursor between yields.
    let after: Buffer = Buffer.alloc(0);
    for (;;) {
      const rows = this.stmt.patternPage.all(node, after) as PatternRow[];
      for (const row of rows) yield toRecord(row);
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1].name;
    }
  }

  async symbolStats(kbId: string, symbols: readonly string[]): Promise<Map<string, SymbolStats>> {
    const out = new Map<string, SymbolStats>();
    const node = this.nodeId(kbId);
    if (node === undefined || symbols.length === 0) return out;
    const rows = this.stmt.symbolStats.all(node, JSON.stringify([...new Set(symbols)])) as { symbol: string; freq: number; pmf: number }[];
    for (const r of rows) out.set(r.symbol, { freq: r.freq, pmf: r.pmf });
    return out;
  }

  async allSymbolStats(kbId: string): Promise<Map<string, SymbolStats>> {
    const node = this.nodeId(kbId);
    if (node === undefined) return new Map();
    const rows = this.stmt.allSymbolStats.all(node) as { symbol: string; freq: number; pmf: number }[];
    rows.sort((a, b) => compareCodePoints(a.symbol, b.symbol));
    return new Map(rows.map((r) => [r.symbol, { freq: r.freq, pmf: r.pmf }]));
  }

  async totals(kbId: string): Promise<NodeTotals> {
    const node = this.nodeId(kbId);
    const row =
      node === undefined
        ? undefined
        : (this.stmt.totals.get(node) as
            | { total_symbols: number; total_pattern_frequencies: number; total_unique_patterns: number; distinct_symbols: number }
            | undefined);
    return {
      totalSymbolsInPatternsFrequencies: row?.total_symbols ?? 0,
      totalPatternFrequencies: row?.total_pattern_frequencies ?? 0,
      totalUniquePatterns: row?.total_unique_patterns ?? 0,
      distinctSymbols: row?.distinct_symbols ?? 0,
    };
  }

  async summary(kbId: string): Promise<NodeSummary> {
    const node = this.nodeId(kbId);
    if (node === undefined) return { kbId, patterns: 0, totalFrequency: 0 };
    const row = this.stmt.summary.get(node) as { patterns: number; total: number };
    return { kbId, patterns: row.patterns, totalFrequency: row.total };
  }

  async affinities(kbId: string, symbols?: readonly string[]): Promise<Map<string, Emotives>> {
    const out = new Map<string, Emotives>();
    const node = this.nodeId(kbId);
    if (node === undefined) return out;
    const rows = (
      symbols === undefined ? this.stmt.allAffinity.all(node) : this.stmt.affinityOf.all(node, JSON.stringify([...symbols]))
    ) as { symbol: string; emotive: string; value: number }[];
    for (const r of rows) {
      let entry = out.get(r.symbol);
      if (!entry) out.set(r.symbol, (entry = {}));
      entry[r.emotive] = r.value;
    }
    return out;
  }

  async savePrecomputed(kbId: string, metrics: Map<string, PrecomputedMetrics>): Promise<void> {
    const node = this.nodeId(kbId);
    if (node === undefined) return;
    this.db
      .transaction(() => {
        for (const [name, m] of metrics) this.stmt.setPrecomputed.run(JSON.stringify(m), node, nameBlob(name));
        this.stmt.addChange.run(node);
      })
      .immediate();
  }

  async clearNode(kbId: string): Promise<void> {
    const node = this.nodeId(kbId);
    if (node === undefined) return;
    this.db
      .transaction(() => {
        this.db.prepare('DELETE FROM pattern_increments WHERE id IN (SELECT id FROM patterns WHERE node = ?)').run(node);
        this.db.prepare('DELETE FROM symbol_increments WHERE id IN (SELECT id FROM symbols WHERE node = ?)').run(node);
        for (const table of ['patterns', 'symbols', 'affinity', 'vectors']) {
          this.db.prepare(`DELETE FROM ${table} WHERE node = ?`).run(node);
        }
        this.db
          .prepare(
            'UPDATE nodes SET total_symbols = 0, total_pattern_frequencies = 0, total_unique_patterns = 0, epoch = epoch + 1, changes = changes + 1 WHERE id = ?',
          )
          .run(node);
      })
      .immediate();
  }

  async listNodes(): Promise<string[]> {
    return (this.stmt.listNodes.all() as { kb_id: string }[]).map((r) => r.kb_id);
  }

  async vectors(kbId: string): Promise<Map<string, number[]>> {
    const node = this.nodeId(kbId);
    if (node === undefined) return new Map();
    const rows = this.stmt.vectors.all(node) as { name: string; components: string }[];
    return new Map(rows.map((r) => [r.name, JSON.parse(r.components)]));
  }

  async addVectors(kbId: string, vectors: Map<string, number[]>): Promise<void> {
    if (vectors.size === 0) return;
    this.writeTransaction(() => {
      const node = this.ensureNode(kbId);
      for (const [name, components] of vectors) this.stmt.addVector.run(node, name, JSON.stringify(components));
    });
  }

  async getSession(id: string): Promise<SessionRow | null> {
    const row = this.stmt.getSession.get(id) as { id: string; node_id: string; expires_at: number; record: string } | undefined;
    return row ? { id: row.id, nodeId: row.node_id, expiresAt: row.expires_at, record: JSON.parse(row.record) } : null;
  }

  async putSession(row: SessionRow): Promise<void> {
    this.stmt.putSession.run(row.id, row.nodeId, row.expiresAt, JSON.stringify(row.record));
  }

  async deleteSession(id: string): Promise<boolean> {
    return this.stmt.deleteSession.run(id).changes > 0;
  }

  async countSessions(): Promise<number> {
    return (this.stmt.countSessions.get() as { n: number }).n;
  }

  async purgeExpiredSessions(now: number): Promise<number> {
    return this.stmt.purgeSessions.run(now).changes;
  }

  private runRecord(row: Record<string, unknown> | undefined): RunRecord | null {
    if (!row) return null;
    return {
      run: row.run as string,
      configHash: row.config_hash as string,
      config: JSON.parse(row.config as string),
      createdAt: row.created_at as string,
      updatedAt: row.updated_at as string,
      watermark: row.wm_seq === null ? null : { seq: row.wm_seq as number, cursor: row.wm_cursor as string },
      docs: row.docs as number,
      tokens: row.tokens as number,
    };
  }

  async getRun(run: string): Promise<RunRecord | null> {
    return this.runRecord(this.stmt.getRun.get(run) as Record<string, unknown> | undefined);
  }

  async createRun(run: string, configHash: string, config: Record<string, unknown>): Promise<RunRecord> {
    const now = nowIso();
    this.stmt.createRun.run(run, configHash, JSON.stringify(config), now, now);
    return (await this.getRun(run))!;
  }

  async deleteRun(run: string): Promise<void> {
    this.db
      .transaction(() => {
        this.stmt.deleteLedger.run(run);
        this.stmt.deleteRun.run(run);
      })
      .immediate();
  }

  async listRuns(): Promise<RunRecord[]> {
    return (this.stmt.listRuns.all() as Record<string, unknown>[]).map((r) => this.runRecord(r)!);
  }

  async commitDocuments(
    run: string,
    docs: DocumentCommit[],
    opts: LearnOptions & { watermark?: Watermark },
  ): Promise<CommitResult[]> {
    return this.writeTransaction(() => {
      if (!this.stmt.getRun.get(run)) throw new ValidationError(`unknown run ${JSON.stringify(run)}`, { run });
      const results: CommitResult[] = [];
      // Items are grouped per node across the documents so symbol upserts are shared.
      const perNode = new Map<string, LearnItem[]>();
      let applied = 0;
      let tokens = 0;
      for (const doc of docs) {
        if (this.stmt.ledgerInsert.run(run, doc.key, doc.seq).changes === 0) {
          results.push('duplicate');
          continue;
        }
        results.push('applied');
        applied++;
        tokens += doc.tokens;
        for (const { kbId, items } of doc.nodes) {
          let list = perNode.get(kbId);
          if (!list) perNode.set(kbId, (list = []));
          for (const item of items) list.push(item);
        }
      }
      for (const [kbId, items] of perNode) this.learnInTransaction(kbId, items, opts.persistence);
      const now = nowIso();
      if (applied > 0) this.stmt.runAdd.run(applied, tokens, now, run);
      if (opts.watermark) this.stmt.runWatermark.run(opts.watermark.seq, opts.watermark.cursor, now, run);
      return results;
    });
  }

  async ledgerState(run: string): Promise<LedgerState> {
    const record = await this.getRun(run);
    const watermark = record?.watermark ?? null;
    const appliedAbove = this.stmt.ledgerAbove.all(run, watermark?.seq ?? -1) as { key: string; seq: number }[];
    return { watermark, appliedAbove };
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  // ── Server: deferred vectors ──────────────────────────────────────────────────────────────
  // Kept in their own table, created on first use, keyed by kb_id so deferring never creates a node.

  private deferredStatements?: Record<'defer' | 'list' | 'forget', Statement>;

  private deferred(): Record<'defer' | 'list' | 'forget', Statement> {
    if (!this.deferredStatements) {
      this.db.exec(`CREATE TABLE IF NOT EXISTS deferred_vectors (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kb_id TEXT NOT NULL,
        name TEXT NOT NULL,
        components TEXT NOT NULL,
        UNIQUE (kb_id, name)
      )`);
      this.deferredStatements = {
        defer: this.db.prepare(
          'INSERT INTO deferred_vectors (kb_id, name, components) VALUES (?, ?, ?) ON CONFLICT (kb_id, name) DO NOTHING',
        ),
        list: this.db.prepare('SELECT name, components FROM deferred_vectors WHERE kb_id = ? ORDER BY seq'),
        forget: this.db.prepare('DELETE FROM deferred_vectors WHERE kb_id = ?'),
      };
    }
    return this.deferredStatements;
  }

  async deferVector(kbId: string, name: string, components: readonly number[]): Promise<void> {
    this.deferred().defer.run(kbId, name, JSON.stringify(components));
  }

  async deferredVectors(kbId: string): Promise<Map<string, number[]>> {
    const rows = this.deferred().list.all(kbId) as { name: string; components: string }[];
    return new Map(rows.map((r) => [r.name, JSON.parse(r.components)]));
  }

  async indexDeferredVectors(kbId: string, vectors: ReadonlyMap<string, readonly number[]>): Promise<void> {
    const statements = this.deferred();
    this.writeTransaction(() => {
      if (vectors.size > 0) {
        const node = this.ensureNode(kbId);
        for (const [name, components] of vectors) this.stmt.addVector.run(node, name, JSON.stringify(components));
      }
      statements.forget.run(kbId);
    });
  }

  // ── Server: session expiry ────────────────────────────────────────────────────────────────

  private touchStatement?: Statement;

  async touchSession(id: string, expiresAt: number): Promise<boolean> {
    this.touchStatement ??= this.db.prepare('UPDATE sessions SET expires_at = ? WHERE id = ?');
    return this.touchStatement.run(expiresAt, id).changes > 0;
  }

  // ── Client and remote training: idempotency records, pattern pages ───────────────────────
  // Records live in their own table, created on first use; pattern pages read the patterns table.

  private idempotencyStatements?: Record<'get' | 'put' | 'purge', Statement>;
  private pageStatement?: Statement;

  private idempotency(): Record<'get' | 'put' | 'purge', Statement> {
    if (!this.idempotencyStatements) {
      this.db.exec(`CREATE TABLE IF NOT EXISTS idempotency (
        key TEXT PRIMARY KEY,
        scope TEXT NOT NULL,
        status INTEGER NOT NULL,
        content_type TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS idempotency_created ON idempotency (created_at)`);
      this.idempotencyStatements = {
        get: this.db.prepare('SELECT key, scope, status, content_type, body, created_at FROM idempotency WHERE key = ?'),
        put: this.db.prepare(
          `INSERT INTO idempotency (key, scope, status, content_type, body, created_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (key) DO NOTHING`,
        ),
        purge: this.db.prepare('DELETE FROM idempotency WHERE created_at < ?'),
      };
    }
    return this.idempotencyStatements;
  }

  async getIdempotency(key: string): Promise<IdempotencyRecord | null> {
    const row = this.idempotency().get.get(key) as
      | { key: string; scope: string; status: number; content_type: string; body: string; created_at: number }
      | undefined;
    return row
      ? { key: row.key, scope: row.scope, status: row.status, contentType: row.content_type, body: row.body, createdAt: row.created_at }
      : null;
  }

  async putIdempotency(record: IdempotencyRecord): Promise<boolean> {
    const { key, scope, status, contentType, body, createdAt } = record;
    return this.idempotency().put.run(key, scope, status, contentType, body, createdAt).changes > 0;
  }

  async purgeIdempotency(before: number): Promise<number> {
    // Keys of keyed learns expire with the replies they protect.
    this.db.prepare('DELETE FROM applied_writes WHERE created_at < ?').run(before);
    return this.idempotency().purge.run(before).changes;
  }

  async patternCountsPage(kbId: string, after: string, limit: number): Promise<NamedFrequency[]> {
    const node = this.nodeId(kbId);
    if (node === undefined || limit <= 0) return [];
    this.pageStatement ??= this.db.prepare(
      `SELECT p.name, p.frequency + coalesce(i.frequency, 0) AS frequency FROM patterns p ${PATTERN_INCREMENTS}
       WHERE p.node = ? AND p.name > ? ORDER BY p.name LIMIT ?`,
    );
    // Names are stored as 20-byte blobs; an empty blob sorts before all of them.
    const start = isBareName(after) ? Buffer.from(after, 'hex') : Buffer.alloc(0);
    const rows = this.pageStatement.all(node, start, limit) as { name: Buffer; frequency: number }[];
    return rows.map((r) => ({ name: r.name.toString('hex'), frequency: r.frequency }));
  }

  // ── Predictions: a node's pattern log ─────────────────────────────────────────────────────
  // Rows and probes are read by rowid (`+node` keeps the planner off the name index, which it
  // would scan), all in one read transaction so counters and probes match the rows' snapshot.

  private logStatements?: Record<'rows' | 'count' | 'probes', Statement>;
  private annotationStatement?: Statement;

  async patternLog(kbId: string, afterId: number, limit: number, probeIds: readonly number[] = []): Promise<PatternLogPage> {
    const node = this.nodeId(kbId);
    const none = { totalSymbolsInPatternsFrequencies: 0, totalPatternFrequencies: 0, totalUniquePatterns: 0 };
    if (node === undefined || limit <= 0) return { rows: [], counters: none, changes: 0, probes: new Map() };
    const statements = (this.logStatements ??= {
      rows: this.db.prepare(
        `SELECT p.id, p.name, p.events, p.frequency + coalesce(i.frequency, 0) AS frequency,
         p.emotives IS NOT NULL OR p.precomputed IS NOT NULL AS annotated
         FROM patterns p ${PATTERN_INCREMENTS} WHERE p.id > ? AND +p.node = ? ORDER BY p.id LIMIT ?`,
      ),
      count: this.db.prepare('SELECT total_symbols, total_pattern_frequencies, total_unique_patterns, changes FROM nodes WHERE id = ?'),
      probes: this.db.prepare('SELECT id, name FROM patterns WHERE id IN (SELECT value FROM json_each(?)) AND +node = ?'),
    });
    return this.db.transaction(() => {
      const read = statements.rows.all(afterId, node, limit) as { id: number; name: Buffer; events: string; frequency: number; annotated: number }[];
      const rows = read.map((r) => ({
        id: r.id,
        name: r.name.toString('hex'),
        events: JSON.parse(r.events) as Event[],
        frequency: r.frequency,
        annotated: r.annotated === 1,
      }));
      const counts = statements.count.get(node) as
        | { total_symbols: number; total_pattern_frequencies: number; total_unique_patterns: number; changes: number }
        | undefined;
      const probes = new Map<number, string>();
      if (probeIds.length > 0) {
        for (const r of statements.probes.all(JSON.stringify(probeIds), node) as { id: number; name: Buffer }[]) {
          probes.set(r.id, r.name.toString('hex'));
        }
      }
      const counters = counts
        ? {
            totalSymbolsInPatternsFrequencies: counts.total_symbols,
            totalPatternFrequencies: counts.total_pattern_frequencies,
            totalUniquePatterns: counts.total_unique_patterns,
          }
        : none;
      return { rows, counters, changes: counts?.changes ?? 0, probes };
    })();
  }

  async patternAnnotations(kbId: string, rowIds: readonly number[]): Promise<Map<number, PatternAnnotation>> {
    const node = this.nodeId(kbId);
    const annotations = new Map<number, PatternAnnotation>();
    if (node === undefined || rowIds.length === 0) return annotations;
    const statement = (this.annotationStatement ??= this.db.prepare(
      `SELECT p.id, lower(hex(p.name)) AS name, p.frequency + coalesce(i.frequency, 0) AS frequency, p.emotives, p.precomputed FROM patterns p
       ${PATTERN_INCREMENTS} WHERE p.id IN (SELECT value FROM json_each(?)) AND +p.node = ?`,
    ));
    // Names come back as hex text: no Buffer per row.
    const rows = statement.all(JSON.stringify(rowIds), node) as {
      id: number;
      name: string;
      frequency: number;
      emotives: string | null;
      precomputed: string | null;
    }[];
    for (const row of rows) {
      const annotation: PatternAnnotation = {
        name: row.name,
        frequency: row.frequency,
        emotives: row.emotives ? JSON.parse(row.emotives) : [],
      };
      if (row.precomputed) annotation.precomputed = JSON.parse(row.precomputed);
      annotations.set(row.id, annotation);
    }
    return annotations;
  }
}
