/**
 * JSONL shards (plain or gzip): one JSON object per line, text taken from a configurable field.
 * Byte-offset cursors; corrupt lines become problems, a torn last line counts as truncated.
 */
import { readLines } from './lines.js';
import type { RawEntry, Shard, ShardPosition } from './shard.js';

/** How to read records from JSONL. */
export interface JsonlFields {
  /** Field holding the text (default `text`). */
  readonly textField?: string;
  /** Field holding the record's own id; without it the id is `<shard>:<line>`. */
  readonly idField?: string;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// In unicode mode this class matches only unpaired surrogates (which JSON escapes can produce).
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** A JSONL shard over a local file. */
export function jsonlShard(path: string, name: string, fields: JsonlFields = {}): Shard {
  const gzip = path.endsWith('.gz');
  return {
    name,
    label: path,
    unit: 'byte',
    async *read(at: ShardPosition): AsyncIterable<RawEntry> {
      for await (const line of readLines(path, at, gzip)) {
        const { id, text, problem } = parseJsonlLine(line.bytes, line.terminated, `${name}:${line.line + 1}`, fields);
        yield { offset: line.offset, line: line.line, end: line.end, endLine: line.line + 1, id, text, problem };
      }
    },
  };
}

/** One line's text, id, or problem. */
export function parseJsonlLine(
  bytes: Uint8Array,
  terminated: boolean,
  defaultId: string,
  fields: JsonlFields,
): Pick<RawEntry, 'id' | 'text' | 'problem'> {
  const textField = fields.textField ?? 'text';
  const bad = (reason: string): Pick<RawEntry, 'id' | 'problem'> => ({ id: defaultId, problem: { kind: 'bad', reason } });
  let json: string;
  try {
    json = strictUtf8.decode(bytes);
  } catch {
    return terminated ? bad('invalid UTF-8') : { id: defaultId, problem: { kind: 'truncated', reason: 'incomplete last line (invalid UTF-8, no newline)' } };
  }
  if (json.trim() === '') return { id: defaultId };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    const detail = (error as Error).message;
    // A last line with no newline that does not parse is what a crash mid-write leaves.
    if (!terminated) return { id: defaultId, problem: { kind: 'truncated', reason: `incomplete last line (no newline; ${detail})` } };
    return bad(`invalid JSON: ${detail}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return bad(`expected a JSON object, found ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }
  const record = value as Record<string, unknown>;
  const id = idOf(record, fields.idField) ?? defaultId;
  if (!Object.hasOwn(record, textField)) {
    return { id, problem: { kind: 'bad', reason: `no field '${textField}' (${textFields(record)})`, hint: TEXT_FIELD_HINT } };
  }
  const text = record[textField];
  if (text === null) return { id, text: null };
  if (typeof text !== 'string') {
    const found = Array.isArray(text) ? 'an array' : `a ${typeof text}`;
    return { id, problem: { kind: 'bad', reason: `field '${textField}' is ${found}, expected a string (${textFields(record)})`, hint: TEXT_FIELD_HINT } };
  }
  if (LONE_SURROGATE.test(text)) {
    return { id, problem: { kind: 'bad', reason: `field '${textField}' is not well-formed Unicode (unpaired surrogate escape)` } };
  }
  return { id, text };
}

// What to do when records lack the text field: the text is most often in a field of another name.
const TEXT_FIELD_HINT = 'name the field holding the text with --text-field NAME';
const MAX_LISTED_FIELDS = 10;

/** The record's top-level fields holding strings, for a message about a missing text field. */
function textFields(record: Record<string, unknown>): string {
  const names = Object.keys(record).filter((key) => typeof record[key] === 'string');
  if (names.length === 0) return 'no field holds text';
  const listed = names.slice(0, MAX_LISTED_FIELDS).join(', ');
  return `fields with text: ${names.length > MAX_LISTED_FIELDS ? `${listed}, … (${names.length} in all)` : listed}`;
}

function idOf(record: Record<string, unknown>, idField: string | undefined): string | undefined {
  if (idField === undefined) return undefined;
  const value = record[idField];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}
