/**
 * A run's training config: every setting that changes what is learned, its hash (recorded in the
 * ledger when the run is created) and a field-by-field difference for refused resumes.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../errors.js';
import type { HierarchySettings, RemainderPolicy } from './types.js';

/** Version of the training algorithm's output; bump when the same config would learn differently. */
export const TRAINING_FORMAT = 'kato-ts/hierarchy/1';

export const DEFAULT_LEVELS = 4;
export const DEFAULT_CHUNK = 8;
/** Most levels a run may have (a chunk of 2 at every level already covers 2^16 tokens). */
export const MAX_LEVELS = 16;
/** Largest chunk size accepted at any level. */
export const MAX_CHUNK = 1024;
/** Most source ids kept per pattern when provenance is on. */
export const MAX_PROVENANCE = 1000;

/** The dataset a run reads, as its source describes itself. */
export interface DatasetIdentity {
  /** The `--dataset` value (a registry name, an absolute path, a glob or a URL). */
  readonly spec: string;
  readonly name: string;
  readonly kind: string;
  readonly location: string;
  readonly textField: string | null;
  /** Records whose trimmed text has fewer characters are filtered before training. */
  readonly minChars: number;
}

/** A versioned step (tokenizer or normaliser) by name and version. */
export interface Versioned {
  readonly name: string;
  readonly version: string;
}

/** Everything that decides what a run learns; its hash is the run's identity for resume. */
export interface TrainingConfig extends HierarchySettings {
  readonly format: string;
  readonly dataset: DatasetIdentity;
  readonly tokenizer: Versioned;
  readonly normalizer: Versioned;
  /**
   * Provenance cap: each pattern keeps, as metadata `source`, the ids of the documents of its
   * first `provenance` learns in stream order (0 = no provenance metadata).
   */
  readonly provenance: number;
}

/**
 * Parses `--chunks` (comma-separated sizes) against `--levels`. One size is that size at every
 * level (`--levels`, default 4, of them); several sizes set the number of levels when `--levels` is
 * absent, and must match it when it is given.
 */
export function parseHierarchy(chunksFlag: string | undefined, levelsFlag: string | undefined, remainder: string = 'merge'): HierarchySettings {
  let levels: number | undefined;
  if (levelsFlag !== undefined) {
    levels = integerFlag('--levels', levelsFlag, 1, MAX_LEVELS);
  }
  let chunks: number[];
  if (chunksFlag === undefined) {
    chunks = new Array<number>(levels ?? DEFAULT_LEVELS).fill(DEFAULT_CHUNK);
  } else {
    const parts = chunksFlag.split(',').map((s) => s.trim());
    if (parts.length === 0 || parts.some((p) => p === '')) {
      throw new ValidationError(`--chunks must be comma-separated chunk sizes like 8,8,8,8; got '${chunksFlag}'`, {
        field: 'chunks',
        value: chunksFlag,
      });
    }
    chunks = parts.map((p) => integerFlag('--chunks', p, 2, MAX_CHUNK, chunksFlag));
    if (chunks.length === 1) chunks = new Array<number>(levels ?? DEFAULT_LEVELS).fill(chunks[0]);
    else if (levels === undefined) levels = chunks.length;
    else if (chunks.length !== levels) {
      throw new ValidationError(
        `--chunks gives ${chunks.length} sizes but --levels is ${levels}: give one size per level, or a single size for all`,
        { field: 'chunks', value: chunksFlag, levels },
      );
    }
    if (chunks.length > MAX_LEVELS) {
      throw new ValidationError(`--chunks gives ${chunks.length} levels; at most ${MAX_LEVELS} are supported`, { field: 'chunks' });
    }
  }
  if (remainder !== 'merge' && remainder !== 'drop') {
    throw new ValidationError(`--remainder must be 'merge' or 'drop'; got '${remainder}'`, { field: 'remainder', value: remainder });
  }
  return { levels: levels ?? chunks.length, chunks, remainder: remainder as RemainderPolicy };
}

/** A whole number flag within [min, max], or a ValidationError naming the flag. */
export function integerFlag(flag: string, text: string, min: number, max: number, whole: string = text): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    const detail = whole === text ? `'${text}'` : `'${text}' in '${whole}'`;
    throw new ValidationError(`${flag} must be a whole number ${range}; got ${detail}`, { field: flag.replace(/^--/, ''), value: whole });
  }
  return value;
}

/** JSON with object keys sorted at every depth: the canonical text a config hash covers. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Lowercase hex SHA-256 of the config's canonical JSON. */
export function configHash(config: TrainingConfig | Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex');
}

/** One field that differs between a run's stored config and the one asked for. */
export interface ConfigDifference {
  /** Dotted path, e.g. `chunks.2` or `dataset.location`. */
  readonly field: string;
  readonly stored: unknown;
  readonly requested: unknown;
}

function flatten(value: unknown, path: string, out: Map<string, unknown>): void {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    if (entries.length === 0) out.set(path, value);
    for (const [k, v] of entries) flatten(v, path === '' ? k : `${path}.${k}`, out);
  } else if (value !== undefined) {
    out.set(path, value);
  }
}

/** Every leaf field whose value differs, sorted by field path. */
export function configDifferences(stored: Record<string, unknown>, requested: Record<string, unknown>): ConfigDifference[] {
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  flatten(stored, '', a);
  flatten(requested, '', b);
  const fields = [...new Set([...a.keys(), ...b.keys()])].sort();
  return fields
    .filter((field) => JSON.stringify(a.get(field)) !== JSON.stringify(b.get(field)))
    .map((field) => ({ field, stored: a.get(field), requested: b.get(field) }));
}
