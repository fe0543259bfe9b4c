/**
 * Where documents are prepared: in the calling thread, or spread over worker threads (each doc
 * to the least busy worker). Preparation is pure, so which thread prepares a doc never matters.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { KatoError } from '../errors.js';
import { unpackHierarchy, type PackedHierarchy } from './packed.js';
import { prepareText, type PrepareSettings } from './prepare.js';
import type { PreparedHierarchy } from './types.js';

/** A document text sent to a worker. */
export interface PrepareRequest {
  readonly id: number;
  readonly text: string;
}

/** A worker's answer: the packed hierarchy or the error message, and the milliseconds it spent. */
export type PrepareReply =
  | { readonly id: number; readonly packed: PackedHierarchy; readonly ms: number }
  | { readonly id: number; readonly error: string; readonly ms: number };

/** A prepared document, or why it could not be prepared. */
export type PrepareOutcome = { readonly hierarchy: PreparedHierarchy } | { readonly error: string };

/** Prepares documents; `busyMs` is the preparation time spent so far, summed over threads. */
export interface Preparer {
  prepare(text: string): Promise<PrepareOutcome>;
  busyMs(): number;
  close(): Promise<void>;
}

/** Prepares each document synchronously in the calling thread. */
export function inThreadPreparer(settings: PrepareSettings): Preparer {
  let busy = 0;
  return {
    async prepare(text) {
      const started = performance.now();
      try {
        return { hierarchy: prepareText(text, settings) };
      } catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
      } finally {
        busy += performance.now() - started;
      }
    },
    busyMs: () => busy,
    close: async () => undefined,
  };
}

/**
 * The compiled worker script. Next to this module when running from `dist/`; when this module is
 * the TypeScript source (tests), the build's copy under `dist/training/`.
 */
export function workerScript(): URL {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return new URL('./prepare-worker.js', import.meta.url);
  const built = fileURLToPath(new URL('../../dist/training/prepare-worker.js', import.meta.url));
  if (!existsSync(built)) {
    throw new KatoError('WORKER_MISSING', `worker threads need the built worker ${built}: run 'npm run build' first`, { path: built });
  }
  return pathToFileURL(built);
}

interface Pending {
  resolve(outcome: PrepareOutcome): void;
  reject(error: Error): void;
  worker: number;
}

/** Prepares documents on `count` worker threads. */
export function workerPreparer(count: number, settings: PrepareSettings): Preparer {
  const script = workerScript();
  const workers: Worker[] = [];
  const load: number[] = [];
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let busy = 0;
  let failure: Error | undefined;
  let closing = false;

  const fail = (error: Error): void => {
    failure ??= error;
    for (const entry of pending.values()) entry.reject(failure);
    pending.clear();
  };

  for (let w = 0; w < count; w++) {
    const worker = new Worker(script, { workerData: settings });
    worker.on('message', (reply: PrepareReply) => {
      const entry = pending.get(reply.id);
      if (!entry) return;
      pending.delete(reply.id);
      load[entry.worker]--;
      busy += reply.ms;
      entry.resolve('error' in reply ? { error: reply.error } : { hierarchy: unpackHierarchy(reply.packed) });
    });
    worker.on('error', (error) => fail(new KatoError('WORKER_FAILED', `a preparation worker failed: ${error.message}`)));
    worker.on('exit', (code) => {
      if (!closing) fail(new KatoError('WORKER_FAILED', `a preparation worker exited unexpectedly (code ${code})`));
    });
    workers.push(worker);
    load.push(0);
  }

  return {
    prepare(text) {
      if (failure) return Promise.reject(failure);
      let target = 0;
      for (let w = 1; w < workers.length; w++) if (load[w] < load[target]) target = w;
      const id = nextId++;
      load[target]++;
      return new Promise<PrepareOutcome>((resolve, reject) => {
        pending.set(id, { resolve, reject, worker: target });
        workers[target].postMessage({ id, text } satisfies PrepareRequest);
      });
    },
    busyMs: () => busy,
    async close() {
      closing = true;
      fail(new KatoError('PREPARER_CLOSED', 'document preparation was stopped'));
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}

/** A preparer for `workers` threads: 0 prepares in the calling thread. */
export function createPreparer(workers: number, settings: PrepareSettings): Preparer {
  return workers === 0 ? inThreadPreparer(settings) : workerPreparer(workers, settings);
}

/** Preparation threads by default: one per core left after the committing thread, 1 to 4. */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}
