/**
 * Parquet shards (local file or HTTP range reads): rows of a chosen text column, read one row
 * group at a time; a cursor row seeks straight to the row group that holds it.
 */
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { ValidationError } from '../errors.js';
import { DatasetCursorError, DatasetReadError } from './errors.js';
import type { RawEntry, Shard, ShardPosition } from './shard.js';

/** Which columns hold a row's text and (optionally) its id. */
export interface ParquetFields {
  /** Column holding the text (default `text`). */
  readonly textField?: string;
  /** Column holding the record's own id; without it the id is `<shard>#<row>`. */
  readonly idField?: string;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const INVALID_UTF8 = Symbol('invalid UTF-8');
// Strict decoding, so corrupt text becomes a bad record rather than U+FFFD characters.
const parsers = {
  stringFromBytes(bytes: Uint8Array | undefined): string | symbol | undefined {
    if (bytes === undefined || bytes === null) return bytes;
    try {
      return strictUtf8.decode(bytes);
    } catch {
      return INVALID_UTF8;
    }
  },
};

// In unicode mode this class matches only unpaired surrogates.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** A Parquet shard over a local file. */
export function parquetFileShard(path: string, name: string, fields: ParquetFields = {}): Shard {
  return parquetShard(name, path, () => asyncBufferFromFile(path), fields);
}

/** A Parquet shard over any AsyncBuffer (a file, or HTTP range reads). */
export function parquetShard(name: string, label: string, openFile: () => Promise<AsyncBuffer>, fields: ParquetFields = {}): Shard {
  const textField = fields.textField ?? 'text';
  return {
    name,
    label,
    unit: 'row',
    async *read(at: ShardPosition): AsyncIterable<RawEntry> {
      const file = await openFile();
      const metadata = await parquetMetadataAsync(file);
      const columns = checkColumns(metadata, label, textField, fields.idField);
      const totalRows = Number(metadata.num_rows);
      if (at.offset > totalRows) {
        throw new DatasetCursorError(`cursor row ${at.offset} is past the end of ${label} (${totalRows} rows): the file changed`, {
          file: label,
          row: at.offset,
          rows: totalRows,
        });
      }
      // Row groups before the cursor are skipped from metadata alone, never fetched.
      const groups: { start: number; end: number }[] = [];
      let groupStart = 0;
      for (const group of metadata.row_groups) {
        const groupEnd = groupStart + Number(group.num_rows);
        if (groupEnd > at.offset && groupEnd > groupStart) groups.push({ start: Math.max(groupStart, at.offset), end: groupEnd });
        groupStart = groupEnd;
      }
      const readGroup = (g: { start: number; end: number }): Promise<Record<string, unknown>[]> =>
        parquetReadObjects({ file, metadata, columns, rowStart: g.start, rowEnd: g.end, compressors, parsers });
      let pending = groups.length > 0 ? readGroup(groups[0]) : undefined;
      for (let k = 0; k < groups.length; k++) {
        const rows = await (pending as Promise<Record<string, unknown>[]>);
        // Fetch the next row group while this one is consumed; a failure surfaces when awaited.
        pending = k + 1 < groups.length ? readGroup(groups[k + 1]) : undefined;
        pending?.catch(() => {});
        const { start, end } = groups[k];
        if (rows.length !== end - start) {
          throw new DatasetReadError(`${label}: rows ${start}–${end} decoded to ${rows.length} rows`, { file: label, row: start });
        }
        for (let i = 0; i < rows.length; i++) yield rowEntry(rows[i], start + i, name, textField, fields.idField);
      }
    },
  };
}

function checkColumns(metadata: FileMetaData, label: string, textField: string, idField: string | undefined): string[] {
  const names = parquetSchema(metadata).children.map((child) => child.element.name);
  const wanted = idField === undefined ? [textField] : [textField, idField];
  for (const column of wanted) {
    if (!names.includes(column)) {
      throw new ValidationError(`${label} has no column '${column}' (columns: ${names.join(', ')})`, {
        field: column === textField ? 'textField' : 'idField',
        value: column,
        file: label,
      });
    }
  }
  return wanted;
}

function rowEntry(row: Record<string, unknown>, index: number, name: string, textField: string, idField: string | undefined): RawEntry {
  const idValue = idField === undefined ? undefined : row[idField];
  const id = typeof idValue === 'string' || typeof idValue === 'number' || typeof idValue === 'bigint' ? String(idValue) : `${name}#${index}`;
  const bad = (reason: string): RawEntry => ({ offset: index, end: index + 1, id, problem: { kind: 'bad', reason } });
  const value = row[textField];
  if (value === null || value === undefined) return { offset: index, end: index + 1, id, text: null };
  if (value === INVALID_UTF8) return bad(`column '${textField}' is not valid UTF-8`);
  if (typeof value !== 'string') return bad(`column '${textField}' holds a ${typeof value}, expected a string`);
  if (LONE_SURROGATE.test(value)) return bad(`column '${textField}' is not well-formed Unicode`);
  return { offset: index, end: index + 1, id, text: value };
}
