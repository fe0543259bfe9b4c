/**
 * The trainer loop: read a dataset from the run's watermark, prepare documents in parallel,
 * commit them in stream order in batches (patterns + ledger keys in one transaction per batch).
 */
import { cursorToString, parseCursor, type DatasetSource, type ReadStats } from '../datasets/index.js';
import { KatoError } from '../errors.js';
import type { Watermark } from '../store/types.js';
import { batchCommits, type BatchDocument } from './commit.js';
import type { TrainingConfig } from './config.js';
import type { KnowledgeBase } from './knowledge-base.js';
import { budget, channel, END, IDLE } from './pipeline.js';
import { createPreparer, type PrepareOutcome, type Preparer } from './preparer.js';

/**
 * Tokens per commit batch at the start of a session. Larger transactions cost the store less per
 * pattern (shared symbol updates, index pages written once per batch); smaller first batches start
 * committing sooner, while later documents are still being prepared.
 */
export const DEFAULT_BATCH_TOKENS = 262_144;
/**
 * A batch of the default size is committed at least this often (ms) while documents arrive, so
 * progress stays regular; larger batches get proportionally longer.
 */
export const DEFAULT_BATCH_MILLIS = 1_000;
/**
 * By default batches grow with the session, to a quarter of the tokens committed so far, up to
 * this many tokens (their time limit in proportion): in a large KB each batch's inserts dirty
 * most index pages whatever its size, so larger batches write fewer bytes per token.
 */
export const MAX_BATCH_TOKENS = 2_097_152;

/** The default batch size (tokens) once a session has committed `committed` tokens. */
export function defaultBatchTokens(committed: number): number {
  return Math.min(MAX_BATCH_TOKENS, Math.max(DEFAULT_BATCH_TOKENS, Math.floor(committed / 4)));
}
/** Skipped documents listed by a session (all are counted). */
const MAX_LISTED_SKIPS = 1_000;
/** Emotive window of training learns (KATO's default persistence; training carries no emotives). */
const PERSISTENCE = 5;

/** How a training session ended. */
export type SessionStatus = 'complete' | 'max-docs' | 'interrupted';

/** What a training session has done so far. */
export interface TrainProgress {
  /** Documents applied this session (each exactly once). */
  readonly docs: number;
  /** Level-0 tokens of those documents. */
  readonly tokens: number;
  /** Documents found already applied (a resume after a crash), skipped without learning. */
  readonly duplicates: number;
  /** Learns per level this session. */
  readonly learned: readonly number[];
  /** Position in the run's stream of the next document (= documents of the run read through). */
  readonly position: number;
  readonly elapsedMs: number;
  /** Time spent committing (the store's write path), and preparing (summed over threads). */
  readonly commitMs: number;
  readonly prepareMs: number;
}

/** A document that could not be prepared and was skipped (`skipBad`). */
export interface SkippedDocument {
  readonly id: string;
  readonly cursor: string;
  readonly reason: string;
}

/** The outcome of a training session. */
export interface TrainSession extends TrainProgress {
  readonly status: SessionStatus;
  readonly watermark: Watermark | null;
  /** Documents skipped as unpreparable (`skipBad`), and the first 1,000 of them. */
  readonly skippedCount: number;
  readonly skipped: readonly SkippedDocument[];
  /** The dataset stream's counters (raw records read, filtered, bad…), when it was opened. */
  readonly read: Readonly<ReadStats> | null;
}

/** What a training session needs. */
export interface TrainOptions {
  readonly kb: KnowledgeBase;
  readonly run: string;
  readonly source: DatasetSource;
  readonly config: TrainingConfig;
  /** Stop once the run's stream has this many documents (counted over every session). */
  readonly maxDocs?: number;
  /** Preparation threads; 0 prepares in the calling thread. */
  readonly workers: number;
  readonly batchTokens?: number;
  readonly batchMillis?: number;
  /** Skip corrupt records and documents that cannot be prepared instead of stopping. */
  readonly skipBad?: boolean;
  /** Aborting stops reading and abandons what is not committed yet (status `interrupted`). */
  readonly signal?: AbortSignal;
  /** Called after each committed batch. */
  readonly onProgress?: (progress: TrainProgress) => void;
  /** Replaces the preparer built from `workers` (tests). */
  readonly preparer?: Preparer;
}

/** A document that cannot be prepared (its text is not valid input for the tokenizer). */
export class DocumentPrepareError extends KatoError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('DOCUMENT_PREPARE', message, details);
  }
}

interface QueuedDocument {
  readonly seq: number;
  readonly key: string;
  readonly next: string;
  readonly id: string;
  readonly chars: number;
  /** Null when the ledger already holds the document. */
  readonly outcome: Promise<PrepareOutcome> | null;
}

/** True when the source yields a record at or after `cursor` (a corrupt one counts). */
async function recordsAfter(source: DatasetSource, cursor: string, minChars: number | undefined): Promise<boolean> {
  try {
    for await (const record of source.open(parseCursor(cursor), { minChars })) {
      void record;
      return true;
    }
    return false;
  } catch {
    return true;
  }
}

// The committer gives the event loop a turn at least this often (a commit is one synchronous step).
const YIELD_EVERY_MS = 20;

/** Trains the run from its ledger's watermark until the stream ends, `maxDocs`, or the signal. */
export async function train(options: TrainOptions): Promise<TrainSession> {
  const { kb, run, source, config } = options;
  const batchTokensAt = (committed: number) => options.batchTokens ?? defaultBatchTokens(committed);
  const batchMillisAt = (committed: number) =>
    options.batchMillis ?? Math.round((DEFAULT_BATCH_MILLIS * batchTokensAt(committed)) / DEFAULT_BATCH_TOKENS);
  const started = performance.now();
  const ledger = await kb.ledgerState(run);
  const appliedAbove = new Set(ledger.appliedAbove.map((entry) => entry.key));
  const firstSeq = ledger.watermark ? ledger.watermark.seq + 1 : 0;

  const internal = new AbortController();
  const stop = options.signal ? AbortSignal.any([options.signal, internal.signal]) : internal.signal;
  const queue = channel<QueuedDocument>();
  // About two of the largest batches of text (≈ 4 characters per token) may sit between reading and committing.
  const inFlight = budget(Math.max(options.batchTokens ?? MAX_BATCH_TOKENS, DEFAULT_BATCH_TOKENS) * 8);
  const preparer =
    options.preparer ??
    createPreparer(options.workers, {
      levels: config.levels,
      chunks: config.chunks,
      remainder: config.remainder,
      normalizer: config.normalizer.name,
    });

  const learned = new Array<number>(config.levels).fill(0);
  const skipped: SkippedDocument[] = [];
  let skippedCount = 0;
  let docs = 0;
  let tokens = 0;
  let duplicates = 0;
  let commitMs = 0;
  let position = firstSeq;
  let watermark = ledger.watermark;
  let reachedMax = options.maxDocs !== undefined && firstSeq >= options.maxDocs;
  // The stream's end was read, and how many positions the reader handed on.
  let exhausted = false;
  let readUpTo = firstSeq;
  let read: Readonly<ReadStats> | null = null;

  const progress = (): TrainProgress => ({
    docs,
    tokens,
    duplicates,
    learned: [...learned],
    position,
    elapsedMs: performance.now() - started,
    commitMs,
    prepareMs: preparer.busyMs(),
  });

  async function reader(): Promise<void> {
    if (reachedMax) return queue.close();
    const stream = source.open(ledger.watermark ? parseCursor(ledger.watermark.cursor) : undefined, {
      signal: stop,
      skipBad: options.skipBad ?? false,
      minChars: config.dataset.minChars,
    });
    read = stream.stats;
    let seq = firstSeq;
    try {
      for await (const record of stream) {
        if (options.maxDocs !== undefined && seq >= options.maxDocs) {
          reachedMax = true;
          break;
        }
        const key = cursorToString(record.cursor);
        const known = appliedAbove.has(key);
        const chars = known ? 0 : record.text.length;
        if (!known && !(await inFlight.acquire(chars, stop))) break;
        let outcome: Promise<PrepareOutcome> | null = null;
        if (!known) {
          outcome = preparer.prepare(record.text);
          // Awaited by the committer; this only keeps an abandoned one from being unhandled.
          outcome.catch(() => undefined);
        }
        queue.push({ seq, key, next: cursorToString(record.next), id: record.id, chars, outcome });
        seq++;
        readUpTo = seq;
      }
      exhausted = !stop.aborted && !reachedMax;
      queue.close();
    } catch (error) {
      queue.close(stop.aborted ? undefined : error);
    }
  }

  async function committer(): Promise<void> {
    let batch: BatchDocument[] = [];
    let batchChars = 0;
    let pendingTokens = 0;
    let lastFlush = performance.now();

    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const commits = await batchCommits(kb, run, batch, config.provenance);
      const last = batch[batch.length - 1];
      const mark: Watermark = { seq: last.seq, cursor: last.next };
      const t0 = performance.now();
      const results = await kb.commitDocuments(run, commits, { persistence: PERSISTENCE, watermark: mark });
      commitMs += performance.now() - t0;
      results.forEach((result, i) => {
        if (result === 'duplicate') {
          duplicates++;
          return;
        }
        docs++;
        tokens += commits[i].tokens;
        commits[i].nodes.forEach((node, level) => (learned[level] += node.items.length));
      });
      watermark = mark;
      position = last.seq + 1;
      inFlight.release(batchChars);
      batch = [];
      batchChars = 0;
      pendingTokens = 0;
      lastFlush = performance.now();
      options.onProgress?.(progress());
    };

    let lastYield = performance.now();
    for (;;) {
      // Documents prepared ahead are taken and committed without leaving the microtask queue;
      // yielding lets signal handlers (and the stop they request) run between documents.
      if (performance.now() - lastYield >= YIELD_EVERY_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      if (stop.aborted) return;
      const wait = batch.length === 0 ? Infinity : lastFlush + batchMillisAt(tokens) - performance.now();
      let taken: QueuedDocument | typeof IDLE | typeof END;
      try {
        taken = await queue.take(wait);
      } catch (error) {
        // The stream failed: commit every whole document read before the failure, then report it.
        await flush();
        throw error;
      }
      if (taken === END) {
        if (!stop.aborted) await flush();
        return;
      }
      if (taken === IDLE) {
        await flush();
        continue;
      }
      const outcome = taken.outcome ? await taken.outcome : null;
      let hierarchy = null;
      if (outcome && 'error' in outcome) {
        if (!options.skipBad) {
          await flush();
          throw new DocumentPrepareError(
            `document ${taken.id} (cursor ${taken.key}) cannot be prepared: ${outcome.error} ` +
              `(use --skip-bad to skip such documents)`,
            { id: taken.id, cursor: taken.key },
          );
        }
        skippedCount++;
        if (skipped.length < MAX_LISTED_SKIPS) skipped.push({ id: taken.id, cursor: taken.key, reason: outcome.error });
      } else if (outcome) {
        hierarchy = outcome.hierarchy;
      }
      batch.push({ seq: taken.seq, key: taken.key, next: taken.next, id: taken.id, hierarchy });
      batchChars += taken.chars;
      pendingTokens += hierarchy ? hierarchy.tokens.length : 0;
      if (pendingTokens >= batchTokensAt(tokens) || performance.now() - lastFlush >= batchMillisAt(tokens)) await flush();
    }
  }

  try {
    const reading = reader();
    try {
      await committer();
    } catch (error) {
      internal.abort(error);
      throw error;
    } finally {
      await reading;
    }
  } finally {
    await preparer.close();
  }
  // A signal that lands after the last document was committed interrupts nothing: every document
  // read is committed and the stream holds none after the watermark.
  const everythingCommitted =
    position === readUpTo && (exhausted || reachedMax || (watermark !== null && !(await recordsAfter(source, watermark.cursor, config.dataset.minChars))));
  const status: SessionStatus = options.signal?.aborted && !everythingCommitted ? 'interrupted' : reachedMax ? 'max-docs' : 'complete';
  return { ...progress(), status, watermark, skippedCount, skipped, read };
}
