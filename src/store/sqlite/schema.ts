/**
 * The SQLite schema of a kato-ts data directory: nodes, patterns, symbol statistics, affinities,
 * vectors, sessions and the training ledger.
 */

export const SCHEMA_VERSION = 5;

/**
 * Statements that bring a database of an earlier schema version up to this one, by the version
 * they start from. Version 2 kept a symbol → pattern index (FTS5) that every learn wrote; the
 * index is now held in memory and read from the pattern log (`store/node-index.ts`). Version 3
 * counted re-learns in the pattern and symbol rows themselves. Version 4 kept no count of a node's
 * changes to stored patterns.
 */
export const MIGRATIONS: Record<number, string> = {
  2: 'DROP TABLE IF EXISTS symbol_index;',
  // Version 4 adds the increment tables (created empty by the schema): every count stored so far
  // is a base count.
  3: '',
  4: 'ALTER TABLE nodes ADD COLUMN changes INTEGER NOT NULL DEFAULT 0;',
};

/** Page size of a new database: fewer, larger WAL frames per commit of a batched learn. */
export const PAGE_SIZE = 16_384;

// A node's `epoch` grows whenever its symbols are deleted, so a connection knows when the symbol
// ids it remembers for the node are stale. A pattern's frequency (a symbol's freq and pmf) is the
// count in its row, written by the learn that created it, plus the count in its row of
// `pattern_increments` (`symbol_increments`, same row id) when it has one: learning an old pattern
// again rewrites a narrow row in a small table rather than a page of wide pattern rows, so the
// pages a batch dirties (and writes through the WAL) stay few as the KB grows.
// A node's `changes` counts the writes that changed its stored patterns (a re-learn, emotives,
// stored metrics, a clear) rather than only adding new ones: a copy of the patterns' counts read
// while it had a value is current while it keeps it.
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (
  id INTEGER PRIMARY KEY,
  kb_id TEXT NOT NULL UNIQUE,
  total_symbols INTEGER NOT NULL DEFAULT 0,
  total_pattern_frequencies INTEGER NOT NULL DEFAULT 0,
  total_unique_patterns INTEGER NOT NULL DEFAULT 0,
  epoch INTEGER NOT NULL DEFAULT 0,
  changes INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS patterns (
  id INTEGER PRIMARY KEY,
  node INTEGER NOT NULL,
  name BLOB NOT NULL,
  events TEXT NOT NULL,
  length INTEGER NOT NULL,
  frequency INTEGER NOT NULL,
  emotives TEXT,
  metadata TEXT,
  precomputed TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS patterns_name ON patterns (node, name);
CREATE TABLE IF NOT EXISTS symbols (
  id INTEGER PRIMARY KEY,
  node INTEGER NOT NULL,
  symbol TEXT NOT NULL,
  freq INTEGER NOT NULL,
  pmf INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS symbols_name ON symbols (node, symbol);
CREATE TABLE IF NOT EXISTS pattern_increments (
  id INTEGER PRIMARY KEY,
  frequency INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS symbol_increments (
  id INTEGER PRIMARY KEY,
  freq INTEGER NOT NULL,
  pmf INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS affinity (
  node INTEGER NOT NULL,
  symbol TEXT NOT NULL,
  emotive TEXT NOT NULL,
  value REAL NOT NULL,
  PRIMARY KEY (node, symbol, emotive)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS vectors (
  node INTEGER NOT NULL,
  name TEXT NOT NULL,
  components TEXT NOT NULL,
  PRIMARY KEY (node, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  node_id TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
  run TEXT PRIMARY KEY,
  config_hash TEXT NOT NULL,
  config TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  wm_seq INTEGER,
  wm_cursor TEXT,
  docs INTEGER NOT NULL DEFAULT 0,
  tokens INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS applied_writes (
  key TEXT PRIMARY KEY,
  outcomes TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger (
  run TEXT NOT NULL,
  key TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (run, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ledger_seq ON ledger (run, seq);
`;
