/**
 * Running the built `kato` CLI as users do (`npm test` builds first): a child process with its
 * output collected, and the documents a run has committed, read from its data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { databasePath, openStore } from '../src/store/index.js';

export const CLI = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js');

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `kato <args>`; `done` settles when the process has exited and its output is closed. */
export function startKato(args: readonly string[], env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<Finished>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Runs `kato <args>` to the end. */
export function kato(...args: string[]): Promise<Finished> {
  return startKato(args).done;
}

/** Documents the run has committed so far (0 before the run or the database exists). */
export async function committedDocs(dataDir: string, run = 'default'): Promise<number> {
  if (!existsSync(databasePath(dataDir))) return 0;
  // Read-only, so polling never takes part in creating the schema while a trainer does.
  let store;
  try {
    store = openStore(dataDir, { readonly: true });
    return (await store.getRun(run))?.docs ?? 0;
  } catch {
    return 0;
  } finally {
    await store?.close();
  }
}
