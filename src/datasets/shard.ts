/**
 * The contract between one shard's reader (JSONL, text, Parquet, Brown) and the stream that
 * turns raw entries into records, counters and problems.
 */
import type { CursorUnit } from './types.js';

/** A raw position inside a shard: byte offset (with line index) or row. */
export interface ShardPosition {
  readonly offset: number;
  readonly line?: number;
}

/** One raw entry of a shard: a record, a blank line, or a bad or truncated record. */
export interface RawEntry {
  readonly offset: number;
  readonly line?: number;
  /** Position right after this entry. */
  readonly end: number;
  readonly endLine?: number;
  readonly id: string;
  /** The text; null for a null value; undefined for a blank line or a problem. */
  readonly text?: string | null;
  /** `hint`: what to do about it, when the reader knows better than skipping the record. */
  readonly problem?: { readonly kind: 'bad' | 'truncated'; readonly reason: string; readonly hint?: string };
}

/** One shard of a source. */
export interface Shard {
  /** Name stored in cursors and checked when a cursor is opened. */
  readonly name: string;
  /** File path or URL, for messages. */
  readonly label: string;
  readonly unit: CursorUnit;
  /** Raw entries from `at` to the end of the shard, reading nothing before `at`. */
  read(at: ShardPosition): AsyncIterable<RawEntry>;
}
