/**
 * Opening the store of a data directory. SQLite (`<dataDir>/kato.db`) is the embedded default.
 */
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ValidationError } from '../errors.js';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite/index.js';
import type { Store } from './types.js';

export type * from './types.js';
export { SqliteStore, openSqliteStore } from './sqlite/index.js';

/** The database file of a data directory. */
export function databasePath(dataDir: string): string {
  return join(dataDir, 'kato.db');
}

/**
 * Refuses a data directory that is a file, or lies under one, with a ValidationError naming the
 * file; a directory that does not exist yet is fine (it is created when needed).
 */
export function checkDataDir(dataDir: string): void {
  const target = resolve(dataDir);
  for (let path = target; ; path = dirname(path)) {
    let isDirectory: boolean;
    try {
      const stat = statSync(path, { throwIfNoEntry: false });
      if (stat === undefined) {
        if (dirname(path) === path) return;
        continue;
      }
      isDirectory = stat.isDirectory();
    } catch (error) {
      // ENOTDIR: a component above is a file, which the next step up finds.
      if ((error as NodeJS.ErrnoException).code === 'ENOTDIR' && dirname(path) !== path) continue;
      return;
    }
    if (isDirectory) return;
    const message =
      path === target
        ? `data directory ${dataDir} is a file, not a directory`
        : `data directory ${dataDir}: ${path} is a file, not a directory`;
    throw new ValidationError(message, { field: 'dataDir', value: dataDir, file: path });
  }
}

/** Opens the store of `dataDir`, creating the directory and schema when needed. */
export function openStore(dataDir: string, options: SqliteStoreOptions = {}): Store {
  checkDataDir(dataDir);
  return openSqliteStore(databasePath(dataDir), options);
}
