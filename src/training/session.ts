/**
 * One training session end to end, as `kato train` runs it: lock the run, settle its config (given
 * settings, else the run's own on resume, else defaults), open or resume it, train, digest, manifest.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { listDatasets, resolveDataset, type DatasetSource } from '../datasets/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { RunRecord } from '../store/types.js';
import { GPT2_TOKENIZER, normalizer as normalizerDescriptor } from '../text/index.js';
import { DEFAULT_CHUNK, DEFAULT_LEVELS, MAX_PROVENANCE, TRAINING_FORMAT, configHash, type TrainingConfig } from './config.js';
import { levelCounts, runDigest, type LevelCounts } from './digest.js';
import type { KnowledgeBase } from './knowledge-base.js';
import { acquireRunLock } from './lock.js';
import { MANIFEST_FORMAT, MANIFEST_SESSIONS, readManifest, runDirectory, writeManifest, type RunManifest, type SessionRecord } from './manifest.js';
import { checkRunName, runNodeId } from './nodes.js';
import type { ProgressView } from './progress.js';
import { openRun } from './run.js';
import { train, type SkippedDocument, type TrainSession } from './trainer.js';
import type { HierarchySettings } from './types.js';

/** The dataset a run reads when none is given. */
export const DEFAULT_DATASET = 'brown';

/** What to train; settings left undefined come from the run (on resume) or the defaults. */
export interface TrainingRequest {
  readonly kb: KnowledgeBase;
  /** Where the run's manifest and lock live. */
  readonly dataDir: string;
  readonly run: string;
  readonly resume: boolean;
  readonly reset: boolean;
  readonly dataset?: string;
  readonly textField?: string;
  readonly normalizer?: string;
  readonly hierarchy?: HierarchySettings;
  /** Provenance cap (0 = off). */
  readonly provenance?: number;
  readonly maxDocs?: number;
  readonly workers: number;
  readonly batchTokens?: number;
  readonly batchMillis?: number;
  readonly skipBad?: boolean;
  readonly signal?: AbortSignal;
  /** Builds the progress view once the run's expected size is known. */
  readonly progress?: (totalDocs: number | undefined) => ProgressView;
  /** Receives one-line notes for the user (run created, resumed, reset). */
  readonly notice?: (message: string) => void;
  /** Version of kato-ts recorded in the manifest. */
  readonly katoVersion: string;
}

/** What a session did and the run's state after it. */
export interface TrainingReport {
  readonly run: string;
  readonly status: TrainSession['status'];
  readonly configHash: string;
  readonly config: TrainingConfig;
  /** Documents and tokens of the whole run after this session. */
  readonly docs: number;
  readonly tokens: number;
  readonly session: TrainSession;
  readonly seconds: number;
  /** This session's tokens per second of wall time. */
  readonly tokensPerSecond: number;
  readonly levels: readonly LevelCounts[];
  /** Null when the session was interrupted (the digest is computed at the end of a session). */
  readonly digest: string | null;
  readonly manifest: string;
  readonly workers: number;
}

/** The `--dataset` value as the run records it: existing local paths made absolute. */
function datasetSpec(value: string): string {
  const named = listDatasets().some((entry) => entry.name === value);
  return !named && !value.startsWith('hf://') && existsSync(value) ? resolve(value) : value;
}

/** The run's config and dataset source from the settings, the unset ones from `stored` (a resumed run's config). */
export function settleConfig(
  request: TrainingRequest,
  stored: TrainingConfig | undefined,
): { config: TrainingConfig; source: DatasetSource } {
  const spec = datasetSpec(request.dataset ?? stored?.dataset.spec ?? DEFAULT_DATASET);
  const sameDataset = stored !== undefined && stored.dataset.spec === spec;
  const textField = request.textField ?? (sameDataset ? (stored.dataset.textField ?? undefined) : undefined);
  const normalizerName = request.normalizer ?? (sameDataset ? stored.normalizer.name : undefined);
  const source = resolveDataset(spec, { textField, normalizer: normalizerName });
  const description = source.describe();
  const norm = normalizerDescriptor(description.normalizer);
  const hierarchy = request.hierarchy ??
    (stored ? { levels: stored.levels, chunks: stored.chunks, remainder: stored.remainder } : undefined) ?? {
      levels: DEFAULT_LEVELS,
      chunks: new Array<number>(DEFAULT_LEVELS).fill(DEFAULT_CHUNK),
      remainder: 'merge' as const,
    };
  const provenance = request.provenance ?? stored?.provenance ?? 0;
  if (!Number.isSafeInteger(provenance) || provenance < 0 || provenance > MAX_PROVENANCE) {
    throw new ValidationError(`provenance cap must be a whole number from 0 to ${MAX_PROVENANCE}; got ${provenance}`, {
      field: 'provenance',
    });
  }
  const config: TrainingConfig = {
    format: TRAINING_FORMAT,
    dataset: {
      spec,
      name: description.name,
      kind: description.kind,
      location: description.location,
      textField: description.textField ?? null,
      minChars: 1,
    },
    tokenizer: { name: GPT2_TOKENIZER.name, version: GPT2_TOKENIZER.version },
    normalizer: { name: norm.name, version: norm.version },
    levels: hierarchy.levels,
    chunks: [...hierarchy.chunks],
    remainder: hierarchy.remainder,
    provenance,
  };
  return { config, source };
}

/** Documents the run is expected to hold at the end, when known. */
function expectedDocs(config: TrainingConfig, maxDocs: number | undefined): number | undefined {
  const rows = listDatasets().find((entry) => entry.name === config.dataset.spec)?.rows;
  if (rows === undefined) return maxDocs;
  return maxDocs === undefined ? rows : Math.min(rows, maxDocs);
}

/** Per-level counts without reading every pattern (for interrupted sessions). */
async function quickLevels(kb: KnowledgeBase, run: string, levels: number): Promise<LevelCounts[]> {
  const out: LevelCounts[] = [];
  for (let level = 0; level < levels; level++) {
    const nodeId = runNodeId(run, level);
    const summary = await kb.summary(nodeId);
    out.push(levelCounts(level, nodeId, summary.patterns, summary.totalFrequency));
  }
  return out;
}

/** What a session adds to the run's manifest. */
interface SessionOutcome {
  readonly status: string;
  readonly digest: string | null;
  readonly levels: readonly LevelCounts[];
  readonly skipped: readonly SkippedDocument[];
  readonly session: SessionRecord;
}

/** Rewrites the run's manifest with its current ledger record and this session appended. */
async function recordSession(
  request: TrainingRequest,
  config: TrainingConfig,
  outcome: SessionOutcome,
): Promise<{ record: RunRecord; manifest: string }> {
  const record = (await request.kb.getRun(request.run))!;
  const previous = sameRunManifest(request, record);
  const manifest = writeManifest(
    request.dataDir,
    runManifest(request, config, record, {
      status: outcome.status,
      levels: outcome.levels,
      digest: outcome.digest,
      skipped: [...(previous?.skipped ?? []), ...outcome.skipped].slice(0, 1000),
      sessions: [...(previous?.sessions ?? []), outcome.session].slice(-MANIFEST_SESSIONS),
    }),
  );
  return { record, manifest };
}

/**
 * Marks the run's manifest `running` with this process's id before the session trains, so a
 * trainer killed before it can record an end leaves a manifest that says so.
 */
function recordStart(request: TrainingRequest, config: TrainingConfig, record: RunRecord): void {
  const previous = sameRunManifest(request, record);
  writeManifest(
    request.dataDir,
    runManifest(request, config, record, {
      status: 'running',
      pid: process.pid,
      levels: previous?.levels ?? [],
      digest: null,
      skipped: previous?.skipped ?? [],
      sessions: previous?.sessions ?? [],
    }),
  );
}

// The run's manifest when it belongs to this run (a manifest of an earlier run of the same name,
// before a reset, starts a new history).
function sameRunManifest(request: TrainingRequest, record: RunRecord): RunManifest | null {
  const previous = readManifest(request.dataDir, request.run);
  return previous !== null && previous.createdAt === record.createdAt ? previous : null;
}

// A manifest of the run as its ledger record stands, with what the caller adds.
function runManifest(
  request: TrainingRequest,
  config: TrainingConfig,
  record: RunRecord,
  fields: Pick<RunManifest, 'status' | 'levels' | 'digest' | 'skipped' | 'sessions'> & { pid?: number },
): RunManifest {
  return {
    format: MANIFEST_FORMAT,
    run: request.run,
    knowledgeBase: request.kb.location ?? 'local',
    status: fields.status,
    ...(fields.pid === undefined ? {} : { pid: fields.pid }),
    configHash: configHash(config),
    config: config as unknown as Record<string, unknown>,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    docs: record.docs,
    tokens: record.tokens,
    watermark: record.watermark,
    levels: fields.levels,
    digest: fields.digest,
    skipped: fields.skipped,
    sessions: fields.sessions,
  };
}

function describeLocation(location: string): string {
  return location === 'local' ? 'the local knowledge base' : location;
}

/** Runs one training session of `request.run`. */
export async function runTraining(request: TrainingRequest): Promise<TrainingReport> {
  const { kb, dataDir } = request;
  const run = checkRunName(request.run);
  const lock = acquireRunLock(join(runDirectory(dataDir, run), 'train.lock'), run);
  try {
    const startedAt = new Date().toISOString();
    // One data directory records each run name for one KB: another KB's run of the same name
    // would overwrite this one's manifest and history.
    const recorded = readManifest(dataDir, run);
    const location = kb.location ?? 'local';
    if (recorded && (recorded.knowledgeBase ?? 'local') !== location) {
      throw new ConflictError(
        `${dataDir} already records run '${run}' of ${describeLocation(recorded.knowledgeBase ?? 'local')}; ` +
          `this command trains ${describeLocation(location)}: choose another --run or --data-dir`,
        { run, recorded: recorded.knowledgeBase ?? 'local', location },
      );
    }
    const existing = await kb.getRun(run);
    // Resuming continues a run; a name that matches none (a typo, another --data-dir) starts nothing.
    if (request.resume && !request.reset && !existing) {
      const where = location === 'local' ? dataDir : `${location} (run files in ${dataDir})`;
      throw new NotFoundError(
        `cannot resume run '${run}': there is no such run in ${where}; ` +
          `check --run and --data-dir, or run the command without --resume to start it`,
        { run, dataDir, location },
      );
    }
    const stored = request.resume && existing ? (existing.config as unknown as TrainingConfig) : undefined;
    const { config, source } = settleConfig(request, stored);
    const opened = await openRun(kb, run, config, request);
    if (opened.wasReset) request.notice?.(`run '${run}' cleared (--reset): its patterns and ledger are gone`);
    if (!opened.created) {
      request.notice?.(
        `resuming run '${run}' after ${opened.record.docs.toLocaleString('en-US')} documents` +
          (opened.record.watermark ? ` (next position ${opened.record.watermark.seq + 1})` : ''),
      );
    }
    const view = request.progress?.(expectedDocs(config, request.maxDocs));
    const clock = performance.now();
    let session: TrainSession;
    try {
      recordStart(request, config, opened.record);
      session = await train({
        kb,
        run,
        source,
        config,
        maxDocs: request.maxDocs,
        workers: request.workers,
        batchTokens: request.batchTokens,
        batchMillis: request.batchMillis,
        skipBad: request.skipBad,
        signal: request.signal,
        onProgress: (p) => view?.update(p),
      });
    } catch (error) {
      view?.stop();
      // The manifest still tells what the failed session committed before it stopped.
      const record = (await kb.getRun(run)) ?? opened.record;
      const seconds = (performance.now() - clock) / 1000;
      const docs = record.docs - opened.record.docs;
      const tokens = record.tokens - opened.record.tokens;
      await recordSession(request, config, {
        status: 'failed',
        digest: null,
        levels: await quickLevels(kb, run, config.levels),
        skipped: [],
        session: {
          startedAt,
          endedAt: new Date().toISOString(),
          status: 'failed',
          error: error instanceof Error ? error.message : String(error),
          docs,
          tokens,
          duplicates: 0,
          skipped: 0,
          seconds,
          tokensPerSecond: seconds > 0 ? tokens / seconds : 0,
          workers: request.workers,
          prepareSeconds: 0,
          commitSeconds: 0,
          katoVersion: request.katoVersion,
        },
      }).catch(() => undefined);
      // A run this session created and that committed nothing is removed again: the failed
      // command changed nothing, and its corrected form starts afresh (invariant: bad input
      // changes nothing).
      if (opened.created && record.docs === 0) {
        await kb.resetRun(run).catch(() => undefined);
        rmSync(runDirectory(dataDir, run), { recursive: true, force: true });
      }
      throw error;
    }
    view?.stop();
    const seconds = session.elapsedMs / 1000;
    const tokensPerSecond = seconds > 0 ? session.tokens / seconds : 0;
    const interrupted = session.status === 'interrupted';
    const { digest, levels } = interrupted
      ? { digest: null, levels: await quickLevels(kb, run, config.levels) }
      : await runDigest(kb, run, config.levels);
    const { record, manifest } = await recordSession(request, config, {
      status: session.status,
      digest,
      levels,
      skipped: session.skipped,
      session: {
        startedAt,
        endedAt: new Date().toISOString(),
        status: session.status,
        docs: session.docs,
        tokens: session.tokens,
        duplicates: session.duplicates,
        skipped: session.skippedCount,
        seconds,
        tokensPerSecond,
        workers: request.workers,
        prepareSeconds: session.prepareMs / 1000,
        commitSeconds: session.commitMs / 1000,
        katoVersion: request.katoVersion,
      },
    });
    return {
      run,
      status: session.status,
      configHash: configHash(config),
      config,
      docs: record.docs,
      tokens: record.tokens,
      session,
      seconds,
      tokensPerSecond,
      levels,
      digest,
      manifest,
      workers: request.workers,
    };
  } finally {
    lock.release();
    // A session that never got to write its manifest leaves no empty run directory behind.
    const directory = runDirectory(dataDir, run);
    if (existsSync(directory) && readdirSync(directory).length === 0) rmSync(directory, { recursive: true, force: true });
  }
}
