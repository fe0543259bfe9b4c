/**
 * Turns a source's shards into a record stream: checks the cursor against the shards, seeks,
 * filters, counts, reports problems, stops on corrupt records unless asked to skip them.
 */
import { KatoError } from '../errors.js';
import { cursorToString } from './cursor.js';
import { DatasetCursorError, DatasetReadError, DatasetRecordError } from './errors.js';
import type { RawEntry, Shard } from './shard.js';
import type { Cursor, DatasetProblem, DatasetRecord, DatasetStream, OpenOptions, ReadStats } from './types.js';

const MAX_KEPT_PROBLEMS = 1000;

/** What a stream reads: the cursor source name and (lazily, once) the sorted shard list. */
export interface StreamSpec {
  readonly source: string;
  readonly shards: () => Promise<readonly Shard[]>;
}

/** A record stream over `spec`'s shards, starting at `at` (or the beginning). */
export function openStream(spec: StreamSpec, at: Cursor | undefined, options: OpenOptions = {}): DatasetStream {
  const stats: ReadStats = { read: 0, yielded: 0, filtered: 0, nulls: 0, bad: 0, truncated: 0 };
  const problems: DatasetProblem[] = [];
  let started = false;
  return {
    stats,
    problems,
    [Symbol.asyncIterator]() {
      if (started) throw new KatoError('DATASET_STREAM', 'a dataset stream can be iterated once; open the source again');
      started = true;
      return records(spec, at, options, stats, problems)[Symbol.asyncIterator]();
    },
  };
}

async function* records(
  spec: StreamSpec,
  at: Cursor | undefined,
  options: OpenOptions,
  stats: ReadStats,
  problems: DatasetProblem[],
): AsyncGenerator<DatasetRecord> {
  const shards = await spec.shards();
  const first = at === undefined ? 0 : checkCursor(spec.source, shards, at);
  const minChars = options.minChars ?? 1;
  for (let index = first; index < shards.length; index++) {
    const shard = shards[index];
    const start =
      at !== undefined && index === first ? { offset: at.offset, line: at.unit === 'byte' ? at.line : undefined } : { offset: 0, line: 0 };
    // Literal objects, not spreads: this runs twice per record.
    const position = (offset: number, line: number | undefined): Cursor =>
      shard.unit === 'byte'
        ? { source: spec.source, shard: index, shardName: shard.name, unit: 'byte', offset, line: line ?? 0 }
        : { source: spec.source, shard: index, shardName: shard.name, unit: 'row', offset };
    try {
      for await (const entry of shard.read(start)) {
        options.signal?.throwIfAborted();
        if (entry.text === undefined && entry.problem === undefined) continue;
        stats.read++;
        const cursor = position(entry.offset, entry.line);
        if (entry.problem) {
          handleProblem(shard, entry, cursor, options, stats, problems);
          continue;
        }
        if (entry.text === null || entry.text === undefined) {
          stats.filtered++;
          stats.nulls++;
          continue;
        }
        if (tooShort(entry.text, minChars)) {
          stats.filtered++;
          continue;
        }
        stats.yielded++;
        yield { text: entry.text, id: entry.id, cursor, next: position(entry.end, entry.endLine) };
      }
    } catch (error) {
      if (error instanceof KatoError || (options.signal?.aborted && error === options.signal.reason)) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new DatasetReadError(`reading ${shard.label} failed: ${message}`, { file: shard.label, shard: index, cause: message });
    }
  }
}

function tooShort(text: string, minChars: number): boolean {
  if (minChars <= 0) return false;
  if (minChars === 1) return !/\S/.test(text);
  return text.trim().length < minChars;
}

function checkCursor(source: string, shards: readonly Shard[], at: Cursor): number {
  const where = cursorToString(at);
  if (at.source !== source) {
    throw new DatasetCursorError(`cursor ${where} belongs to source '${at.source}', not '${source}'`, { cursor: where, source });
  }
  const shard = shards[at.shard];
  if (shard === undefined) {
    throw new DatasetCursorError(`cursor ${where} names shard ${at.shard}, but '${source}' has ${shards.length} shards`, {
      cursor: where,
      shards: shards.length,
    });
  }
  if (shard.name !== at.shardName) {
    throw new DatasetCursorError(
      `cursor ${where} names shard ${at.shard} '${at.shardName}', but that shard is now '${shard.name}': the data changed`,
      { cursor: where, shardName: shard.name },
    );
  }
  if (shard.unit !== at.unit) {
    throw new DatasetCursorError(`cursor ${where} counts ${at.unit}s, but shard '${shard.name}' is read by ${shard.unit}`, {
      cursor: where,
    });
  }
  return at.shard;
}

function handleProblem(
  shard: Shard,
  entry: RawEntry,
  cursor: Cursor,
  options: OpenOptions,
  stats: ReadStats,
  problems: DatasetProblem[],
): void {
  const problemInfo = entry.problem as NonNullable<RawEntry['problem']>;
  const place =
    shard.unit === 'byte'
      ? { line: (entry.line ?? 0) + 1 }
      : { row: entry.offset };
  const problem: DatasetProblem = { kind: problemInfo.kind, file: shard.label, ...place, cursor, reason: problemInfo.reason };
  const where = 'line' in place ? `${shard.label} line ${place.line}` : `${shard.label} row ${place.row}`;
  if (problem.kind === 'bad') {
    stats.bad++;
    if (!options.skipBad) {
      const advice = problemInfo.hint ? `${problemInfo.hint}, or skip` : 'skip';
      throw new DatasetRecordError(`corrupt record at ${where} (cursor ${cursorToString(cursor)}): ${problem.reason}; ${advice} corrupt records with --skip-bad`, {
        file: shard.label,
        ...place,
        cursor: cursorToString(cursor),
        reason: problem.reason,
      });
    }
  } else {
    stats.truncated++;
  }
  if (problems.length < MAX_KEPT_PROBLEMS) problems.push(problem);
  options.onProblem?.(problem);
}
