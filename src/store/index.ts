/**
 * Opening the store of a data directory. SQLite (`<dataDir>/kato.db`) is the embedded default.
 */
import { join } from 'node:path';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite/index.js';
import type { Store } from './types.js';

export type * from './types.js';
export { SqliteStore, openSqliteStore } from './sqlite/index.js';

/** The database file of a data directory. */
export function databasePath(dataDir: string): string {
  return join(dataDir, 'kato.db');
}

/** Opens the store of `dataDir`, creating the directory and schema when needed. */
export function openStore(dataDir: string, options: SqliteStoreOptions = {}): Store {
  return openSqliteStore(databasePath(dataDir), options);
}
