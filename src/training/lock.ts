/**
 * One trainer per run at a time: a lock file holding the trainer's pid. A lock left by a process
 * that no longer exists (killed, crashed) is taken over; the ledger makes that resume exact.
 */
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConflictError } from '../errors.js';

/** A held lock; `release` removes the file. */
export interface RunLock {
  readonly path: string;
  release(): void;
}

/** Whether a process with this id exists (ours or another user's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process id recorded in the lock file at `path`, if any (alive or not). */
export function lockHolder(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the lock file at `path`, or throws a ConflictError naming the live process that holds it. */
export function acquireRunLock(path: string, run: string): RunLock {
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return { path, release: () => rmSync(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = lockHolder(path);
      if (pid !== undefined && pid !== process.pid && processAlive(pid)) {
        throw new ConflictError(
          `run '${run}' is being trained by process ${pid} (lock ${path}); wait for it, stop it, ` +
            `or delete the lock file if that process is not a kato trainer`,
          { run, pid, lock: path },
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new ConflictError(`could not take the lock ${path} for run '${run}': another trainer keeps taking it`, { run, lock: path });
}
