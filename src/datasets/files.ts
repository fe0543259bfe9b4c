/**
 * Local file sources: one file, a directory, or a glob of JSONL, text and Parquet shards (any
 * mix, plain or gzip), in a stable code-point order of their relative paths.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { ValidationError } from '../errors.js';
import { jsonlShard } from './jsonl.js';
import { parquetFileShard } from './parquet.js';
import type { Shard } from './shard.js';
import { openStream } from './stream.js';
import { textShard, type TextMode } from './text.js';
import type { Cursor, DatasetSource, OpenOptions, SourceKind } from './types.js';

/** The file formats a shard can have. */
export type FileFormat = 'jsonl' | 'text' | 'parquet';

/** How to read local files. */
export interface FileSourceOptions {
  /** Cursor source name (default: the format for one file, `files` for several). */
  readonly name?: string;
  /** Format of every shard, instead of guessing it from each file's extension. */
  readonly format?: FileFormat;
  /** JSONL field / Parquet column holding the text (default `text`). */
  readonly textField?: string;
  /** JSONL field / Parquet column holding a record id. */
  readonly idField?: string;
  /** Plain text: a record per line (default) or per blank-line-separated paragraph. */
  readonly textMode?: TextMode;
  /** Normaliser the trainer should apply (default `none`). */
  readonly normalizer?: string;
}

/** One shard file: where it is and the name cursors give it. */
export interface ShardFile {
  readonly path: string;
  readonly name: string;
}

const FORMAT_BY_SUFFIX: readonly [string, FileFormat][] = [
  ['.jsonl', 'jsonl'],
  ['.jsonl.gz', 'jsonl'],
  ['.ndjson', 'jsonl'],
  ['.ndjson.gz', 'jsonl'],
  ['.json.gz', 'jsonl'],
  ['.txt', 'text'],
  ['.txt.gz', 'text'],
  ['.parquet', 'parquet'],
];

/** The format a file name's extension says, or undefined. */
export function formatOf(path: string): FileFormat | undefined {
  const lower = path.toLowerCase();
  return FORMAT_BY_SUFFIX.find(([suffix]) => lower.endsWith(suffix))?.[1];
}

const GLOB_CHARS = /[*?[]/;

/** True when `location` is a glob pattern rather than a path. */
export function isGlob(location: string): boolean {
  return GLOB_CHARS.test(location);
}

// Code-point order of UTF-8 bytes: the same on every platform and locale.
const byPath = (a: ShardFile, b: ShardFile): number => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name));

/**
 * The shard files at `location` (a file, a directory searched recursively, or a glob), sorted.
 * Hidden files and folders are skipped; in a directory only files of a known format are taken.
 */
export function listShardFiles(location: string, format?: FileFormat): ShardFile[] {
  if (isGlob(location)) return globFiles(location, format);
  let stats;
  try {
    stats = statSync(location);
  } catch {
    throw new ValidationError(`dataset path ${location} does not exist`, { field: 'dataset', value: location });
  }
  if (stats.isFile()) return [{ path: location, name: basename(location) }];
  const files = walk(location)
    .filter((path) => format !== undefined || formatOf(path) !== undefined)
    .map((path) => ({ path, name: toPosix(relative(location, path)) }));
  return refuseCompressedTwins(location, files.sort(byPath));
}

/**
 * A shard and its gzip copy (`a.jsonl` next to `a.jsonl.gz`) hold the same documents: reading
 * both would learn each of them twice, so a listing holding both is refused.
 */
function refuseCompressedTwins(location: string, files: ShardFile[]): ShardFile[] {
  const byName = new Map(files.map((file) => [file.name, file]));
  for (const file of files) {
    if (!file.name.toLowerCase().endsWith('.gz')) continue;
    const plain = byName.get(file.name.slice(0, -'.gz'.length));
    if (plain === undefined) continue;
    throw new ValidationError(
      `dataset ${location} holds both ${plain.path} and ${file.path}, the same shard plain and gzipped: ` +
        `reading both would learn its documents twice; remove one of them, or choose one with a glob`,
      { field: 'dataset', value: location, files: [plain.path, file.path] },
    );
  }
  return files;
}

const toPosix = (path: string): string => path.split(sep).join('/');

function walk(directory: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...walk(path));
    else if (entry.isFile()) found.push(path);
  }
  return found;
}

function globFiles(pattern: string, format?: FileFormat): ShardFile[] {
  const segments = toPosix(pattern).split('/');
  const firstGlob = segments.findIndex((segment) => GLOB_CHARS.test(segment));
  const base = segments.slice(0, firstGlob).join('/') || (pattern.startsWith('/') ? '/' : '.');
  const matcher = globRegExp(segments.slice(firstGlob).join('/'));
  let files: string[];
  try {
    files = walk(resolve(base));
  } catch {
    throw new ValidationError(`dataset glob ${pattern}: folder ${base} does not exist`, { field: 'dataset', value: pattern });
  }
  return refuseCompressedTwins(
    pattern,
    files
      .map((path) => ({ path, name: toPosix(relative(resolve(base), path)) }))
      .filter(({ name, path }) => matcher.test(name) && (format !== undefined || formatOf(path) !== undefined))
      .sort(byPath),
  );
}

/** A RegExp for a glob over `/`-separated relative paths: `**`, `*`, `?` and `[...]`. */
export function globRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i];
    if (char === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else if (char === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) {
        source += '\\[';
      } else {
        const body = glob.slice(i + 1, close);
        source += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = close;
      }
    } else {
      source += char.replace(/[.+^${}()|\\\]]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

/** The shard reader for one file, by its (given or guessed) format. */
export function fileShard(file: ShardFile, options: FileSourceOptions = {}): Shard {
  const format = options.format ?? formatOf(file.path);
  const fields = { textField: options.textField, idField: options.idField };
  switch (format) {
    case 'jsonl':
      return jsonlShard(file.path, file.name, fields);
    case 'text':
      return textShard(file.path, file.name, options.textMode);
    case 'parquet':
      return parquetFileShard(file.path, file.name, fields);
    default:
      throw new ValidationError(
        `cannot tell the format of ${file.path}: expected .jsonl, .jsonl.gz, .ndjson, .json.gz, .txt, .txt.gz or .parquet, or pass a format`,
        { field: 'format', file: file.path },
      );
  }
}

/** A source over local files: one file, a directory of shards, or a glob of shards. */
export function fileSource(location: string, options: FileSourceOptions = {}): DatasetSource {
  const files = listShardFiles(location, options.format);
  if (files.length === 0) {
    throw new ValidationError(`no dataset files at ${location}`, { field: 'dataset', value: location });
  }
  const shards = files.map((file) => fileShard(file, options));
  const single = files.length === 1 && !isGlob(location) && statSync(location).isFile();
  const kind: SourceKind = single ? (options.format ?? (formatOf(location) as FileFormat)) : 'files';
  const name = options.name ?? kind;
  const gzip = files.some((file) => file.path.endsWith('.gz'));
  const textField = files.every((file) => (options.format ?? formatOf(file.path)) === 'text') ? undefined : (options.textField ?? 'text');
  return {
    describe: () => ({
      name,
      kind,
      location,
      ...(textField === undefined ? {} : { textField }),
      normalizer: options.normalizer ?? 'none',
      resume: gzip ? 'reinflate' : 'seek',
    }),
    open: (at?: Cursor, openOptions?: OpenOptions) => openStream({ source: name, shards: async () => shards }, at, openOptions),
  };
}
