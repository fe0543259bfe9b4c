/**
 * Cursor serialisation: `source:shard:shardName:b<offset>.<line>` or `...:r<row>`, short enough
 * to key a document in the training ledger, and parsed back exactly.
 */
import { ValidationError } from '../errors.js';
import type { Cursor } from './types.js';

// Names are percent-encoded so ':' can separate fields; '/' is left readable.
const encodeName = (name: string): string => encodeURIComponent(name).replace(/%2F/g, '/');

/** The cursor as a short string, e.g. `wikitext-103:0:train/0.parquet:r1801349`. */
export function cursorToString(cursor: Cursor): string {
  const position = cursor.unit === 'byte' ? `b${cursor.offset}.${cursor.line}` : `r${cursor.offset}`;
  return `${encodeName(cursor.source)}:${cursor.shard}:${encodeName(cursor.shardName)}:${position}`;
}

const CURSOR_PATTERN = /^([^:]+):(0|[1-9]\d*):([^:]+):(?:b(0|[1-9]\d*)\.(0|[1-9]\d*)|r(0|[1-9]\d*))$/;

/** Parses a string made by cursorToString; throws ValidationError on anything else. */
export function parseCursor(text: string): Cursor {
  const match = CURSOR_PATTERN.exec(text);
  const invalid = (): ValidationError =>
    new ValidationError(
      `invalid cursor ${JSON.stringify(text)}: expected source:shard:shardName:b<byteOffset>.<line> or …:r<row>`,
      { field: 'cursor', value: text },
    );
  if (!match) throw invalid();
  const [, source, shard, shardName, byteOffset, line, row] = match;
  const numbers = [shard, byteOffset, line, row].filter((n) => n !== undefined).map(Number);
  if (numbers.some((n) => !Number.isSafeInteger(n))) throw invalid();
  let decodedSource: string;
  let decodedShardName: string;
  try {
    decodedSource = decodeURIComponent(source);
    decodedShardName = decodeURIComponent(shardName);
  } catch {
    throw invalid();
  }
  const base = { source: decodedSource, shard: Number(shard), shardName: decodedShardName };
  if (row !== undefined) return { ...base, unit: 'row', offset: Number(row) };
  return { ...base, unit: 'byte', offset: Number(byteOffset), line: Number(line) };
}

/** Orders cursors of one source by position (shard, then offset). */
export function compareCursors(a: Cursor, b: Cursor): number {
  return a.shard - b.shard || a.offset - b.offset;
}
