/**
 * The run manifest: `<dataDir>/runs/<run>/manifest.json`, rewritten atomically (temp file, fsync,
 * rename) after every session with the run's config, counts, levels, digest and session history.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Watermark } from '../store/types.js';
import type { LevelCounts } from './digest.js';

export const MANIFEST_FORMAT = 'kato-ts/run-manifest/1';
/** Sessions kept in a manifest's history (the oldest are dropped first). */
export const MANIFEST_SESSIONS = 100;

/** One `kato train` invocation on the run. */
export interface SessionRecord {
  readonly startedAt: string;
  readonly endedAt: string;
  /** complete, max-docs, interrupted or failed. */
  readonly status: string;
  /** Why a failed session stopped. */
  readonly error?: string;
  readonly docs: number;
  readonly tokens: number;
  readonly duplicates: number;
  readonly skipped: number;
  readonly seconds: number;
  readonly tokensPerSecond: number;
  readonly workers: number;
  readonly prepareSeconds: number;
  readonly commitSeconds: number;
  readonly katoVersion: string;
}

/** What a run's manifest holds. */
export interface RunManifest {
  readonly format: string;
  readonly run: string;
  /** Where the run's KB lives: `local` (this data directory) or a server (absent in older manifests: local). */
  readonly knowledgeBase?: string;
  /** The last session's outcome, or `running` from the moment a session starts until it records one. */
  readonly status: string;
  /** While `running`: the id of the process training the run. */
  readonly pid?: number;
  readonly configHash: string;
  readonly config: Record<string, unknown>;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Documents and tokens applied to the run over all sessions. */
  readonly docs: number;
  readonly tokens: number;
  readonly watermark: Watermark | null;
  readonly levels: readonly LevelCounts[];
  /** Null when the last session did not end normally (the digest is computed at a session's end). */
  readonly digest: string | null;
  /** Documents skipped as unpreparable (first 1,000 over all sessions). */
  readonly skipped: readonly { id: string; cursor: string; reason: string }[];
  readonly sessions: readonly SessionRecord[];
}

/** Directory of a run's files in a data directory. */
export function runDirectory(dataDir: string, run: string): string {
  return join(dataDir, 'runs', run);
}

/** Path of a run's manifest. */
export function manifestPath(dataDir: string, run: string): string {
  return join(runDirectory(dataDir, run), 'manifest.json');
}

/** The run's manifest, or null when there is none (or it cannot be read). */
export function readManifest(dataDir: string, run: string): RunManifest | null {
  try {
    const manifest = JSON.parse(readFileSync(manifestPath(dataDir, run), 'utf8')) as RunManifest;
    return manifest.format === MANIFEST_FORMAT ? manifest : null;
  } catch {
    return null;
  }
}

/** Writes `text` to `path` so readers see the old or the new file, never a partial one. */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  // The rename itself is durable only once the directory entry is.
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** What a run's trainer is doing, as `kato status` tells it. */
export type RunActivity =
  | { readonly state: 'training'; readonly pid: number }
  | { readonly state: 'interrupted' }
  | { readonly state: 'idle' };

/**
 * The run's activity from its manifest and the pid in its lock file: `training` while a live
 * process holds the lock (or is the manifest's running trainer); `interrupted` when the last
 * session was stopped by a signal (the manifest says `interrupted`) or when the manifest says a
 * session is running but its process is gone (killed before it could record an end) — either
 * way the ledger keeps every committed document, so `--resume` continues it; otherwise `idle`.
 */
export function runActivity(
  manifest: RunManifest | null,
  lockPid: number | undefined,
  alive: (pid: number) => boolean,
): RunActivity {
  if (lockPid !== undefined && alive(lockPid)) return { state: 'training', pid: lockPid };
  if (manifest?.status === 'interrupted') return { state: 'interrupted' };
  if (manifest?.status !== 'running') return { state: 'idle' };
  if (manifest.pid !== undefined && alive(manifest.pid)) return { state: 'training', pid: manifest.pid };
  return { state: 'interrupted' };
}

/**
 * The settings of a run's latest `kato train` that its config does not record yet change what a
 * resume does: where it stops (`--max-docs`, counted over the whole run) and whether a corrupt
 * record stops it (`--skip-bad`). Kept beside the manifest so that `kato status` can tell the
 * command resuming a trainer that was killed. (`--workers` and `--batch-tokens` change only
 * the speed: a run learns the same whatever they are.)
 */
export interface SessionFlags {
  readonly maxDocs?: number;
  readonly skipBad?: boolean;
}

/** Path of the file holding a run's latest session flags. */
export function sessionFlagsPath(dataDir: string, run: string): string {
  return join(runDirectory(dataDir, run), 'session.json');
}

/** Records the flags of the session about to train the run. */
export function writeSessionFlags(dataDir: string, run: string, flags: SessionFlags): void {
  const record = { maxDocs: flags.maxDocs ?? null, skipBad: flags.skipBad ?? false };
  writeFileAtomic(sessionFlagsPath(dataDir, run), `${JSON.stringify(record)}\n`);
}

/** The run's latest session flags, or none when they were not recorded (or cannot be read). */
export function readSessionFlags(dataDir: string, run: string): SessionFlags {
  try {
    const record = JSON.parse(readFileSync(sessionFlagsPath(dataDir, run), 'utf8')) as { maxDocs?: unknown; skipBad?: unknown };
    return {
      ...(Number.isSafeInteger(record.maxDocs) && (record.maxDocs as number) > 0 ? { maxDocs: record.maxDocs as number } : {}),
      ...(record.skipBad === true ? { skipBad: true } : {}),
    };
  } catch {
    return {};
  }
}

/** The session flags as `kato train` options (empty, or starting with a space). */
export function sessionFlagArguments(flags: SessionFlags): string {
  return `${flags.maxDocs === undefined ? '' : ` --max-docs ${flags.maxDocs}`}${flags.skipBad ? ' --skip-bad' : ''}`;
}

/** Where a run lives, as `kato train` flags name it: its run, data directory and server (when it trains one). */
export interface RunPlace {
  readonly run: string;
  readonly dataDir: string;
  readonly server?: string;
  /** `--protocol`; `native` (the default) is left out of the command. */
  readonly protocol?: string;
}

/**
 * The `kato train` command that resumes a run — the one `kato train` prints when it stops and
 * `kato status` shows: the run's config comes from the run, so only where it lives and the session
 * flags (see SessionFlags) are repeated.
 */
export function resumeCommandLine(place: RunPlace, flags: SessionFlags = {}): string {
  const protocol = place.protocol === undefined || place.protocol === 'native' ? '' : ` --protocol ${place.protocol}`;
  const server = place.server === undefined ? '' : ` --server ${place.server}${protocol}`;
  return `kato train --resume --run ${place.run} --data-dir ${JSON.stringify(place.dataDir)}${server}${sessionFlagArguments(flags)}`;
}

/** The `kato train` command that resumes a run recorded in `dataDir` by `manifest`, with its latest session flags. */
export function resumeCommand(dataDir: string, manifest: RunManifest, flags: SessionFlags = {}): string {
  const location = manifest.knowledgeBase ?? 'local';
  const server = location.startsWith('server ')
    ? { server: location.slice('server '.length) }
    : location.startsWith('kato-protocol ')
      ? { server: location.slice('kato-protocol '.length), protocol: 'kato' }
      : {};
  return resumeCommandLine({ run: manifest.run, dataDir, ...server }, flags);
}

/** Writes the run's manifest atomically; returns its path. */
export function writeManifest(dataDir: string, manifest: RunManifest): string {
  const path = manifestPath(dataDir, manifest.run);
  writeFileAtomic(path, `${JSON.stringify(manifest, null, 2)}\n`);
  return path;
}
