/**
 * Shared types of the datasets part: raw cursors, the records a source yields, the source and
 * stream interfaces, read counters and reported problems.
 */

/** What a cursor's offset counts: bytes of the (uncompressed) shard, or rows/documents. */
export type CursorUnit = 'byte' | 'row';

/**
 * A raw position in a source: which shard, and where in it. It never counts filtered or
 * completed records, so filtering cannot shift it, and opening a source at it seeks there.
 * Byte cursors (JSONL, text) also carry the 0-based line index at their offset, so ids and
 * messages keep naming the right line after a seek.
 */
export type Cursor = ByteCursor | RowCursor;

interface CursorBase {
  /** Name of the source it belongs to (registry name or source kind). */
  readonly source: string;
  /** Index of the shard in the source's sorted shard list. */
  readonly shard: number;
  /** Name of that shard (relative path, file name or `config/split/N.parquet`), checked on open. */
  readonly shardName: string;
}

/** A byte offset into an uncompressed line-based shard, at the start of line `line` (0-based). */
export interface ByteCursor extends CursorBase {
  readonly unit: 'byte';
  readonly offset: number;
  readonly line: number;
}

/** A row (Parquet) or document (Brown) index. */
export interface RowCursor extends CursorBase {
  readonly unit: 'row';
  readonly offset: number;
}

/** One document from a source, with the cursor of itself and of the position right after it. */
export interface DatasetRecord {
  /** The record's text exactly as the source holds it (normalisation is the caller's step). */
  readonly text: string;
  /** Human-readable identity: `ca01`, `part-0.jsonl:17`, `en/train/0.parquet#4096`, or the id field. */
  readonly id: string;
  /** Where this record starts: opening the source here yields this record first. */
  readonly cursor: Cursor;
  /** Where the next raw record starts: store this as "resume here" once this record is done. */
  readonly next: Cursor;
}

/** Counters of one stream, updated as it is read. */
export interface ReadStats {
  /** Raw records read (lines, paragraphs, rows, documents), whatever became of them. */
  read: number;
  /** Records handed to the caller. */
  yielded: number;
  /** Records left out on purpose: blank lines, empty, too short or null text. */
  filtered: number;
  /** Of the filtered, those whose text was null (a null Parquet cell or JSON null). */
  nulls: number;
  /** Corrupt records (invalid JSON or UTF-8, missing or non-string text field) that were skipped. */
  bad: number;
  /** Truncated last lines: an incomplete write at the end of a file, reported and not fatal. */
  truncated: number;
}

/** A bad or truncated record, as reported to `onProblem` and kept in `stream.problems`. */
export interface DatasetProblem {
  readonly kind: 'bad' | 'truncated';
  /** Shard file name or URL. */
  readonly file: string;
  /** 1-based line number (line-based shards), when known. */
  readonly line?: number;
  /** Row index (Parquet shards). */
  readonly row?: number;
  readonly cursor: Cursor;
  readonly reason: string;
}

/** How to read a stream. */
export interface OpenOptions {
  /** Skip (count and report) corrupt records instead of stopping with a DatasetRecordError. */
  readonly skipBad?: boolean;
  /** Records whose trimmed text has fewer characters are filtered (default 1: drop blank ones). */
  readonly minChars?: number;
  /** Called for every bad or truncated record, in order. */
  readonly onProblem?: (problem: DatasetProblem) => void;
  /** Stops the stream with the signal's reason at the next record. */
  readonly signal?: AbortSignal;
}

/** An open stream: iterate it once for records; its counters update as it goes. */
export interface DatasetStream extends AsyncIterable<DatasetRecord> {
  readonly stats: Readonly<ReadStats>;
  /** The first 1,000 problems (all of them are counted in stats and passed to onProblem). */
  readonly problems: readonly DatasetProblem[];
}

/** The kinds of source. */
export type SourceKind = 'brown' | 'jsonl' | 'text' | 'parquet' | 'files' | 'hf';

/** What a source reads, for manifests and listings. */
export interface SourceDescription {
  /** Cursor source name: the registry name, else the kind. */
  readonly name: string;
  readonly kind: SourceKind;
  /** Path, glob, directory, `hf://` URL or package the data comes from. */
  readonly location: string;
  /** Field or column holding the text (JSONL, Parquet, hf). */
  readonly textField?: string;
  /** Normaliser the trainer should apply to each record's text (a name from `text/normalize`). */
  readonly normalizer: string;
  /** How a resume reaches a cursor: `seek` jumps there; `reinflate` (gzip) decompresses the
   * prefix without parsing or yielding it, so its cost grows with the offset. */
  readonly resume: 'seek' | 'reinflate';
}

/** A dataset: describe it, or open it (optionally at a cursor) to stream its records. */
export interface DatasetSource {
  describe(): SourceDescription;
  open(at?: Cursor, options?: OpenOptions): DatasetStream;
}
