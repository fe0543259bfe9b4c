/**
 * Plain-text shards (plain or gzip): one record per line, or per blank-line-separated
 * paragraph. Byte-offset cursors at line starts; invalid UTF-8 makes a record bad.
 */
import { readLines, type Line } from './lines.js';
import type { RawEntry, Shard, ShardPosition } from './shard.js';

/** `line`: every line is a record; `paragraph`: runs of non-blank lines are. */
export type TextMode = 'line' | 'paragraph';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const isBlank = (bytes: Buffer): boolean => {
  for (const byte of bytes) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d && byte !== 0x0b && byte !== 0x0c) return false;
  return true;
};

/** A plain-text shard over a local file. */
export function textShard(path: string, name: string, mode: TextMode = 'line'): Shard {
  const gzip = path.endsWith('.gz');
  return {
    name,
    label: path,
    unit: 'byte',
    read: (at: ShardPosition) =>
      mode === 'line' ? lineRecords(readLines(path, at, gzip), name) : paragraphRecords(readLines(path, at, gzip), name),
  };
}

function decode(lines: readonly Line[]): string | undefined {
  try {
    return lines.map((line) => strictUtf8.decode(line.bytes)).join('\n');
  } catch {
    return undefined;
  }
}

async function* lineRecords(lines: AsyncIterable<Line>, name: string): AsyncIterable<RawEntry> {
  for await (const line of lines) {
    const text = decode([line]);
    yield {
      offset: line.offset,
      line: line.line,
      end: line.end,
      endLine: line.line + 1,
      id: `${name}:${line.line + 1}`,
      text,
      problem: text === undefined ? { kind: 'bad', reason: 'invalid UTF-8' } : undefined,
    };
  }
}

async function* paragraphRecords(lines: AsyncIterable<Line>, name: string): AsyncIterable<RawEntry> {
  let paragraph: Line[] = [];
  const flush = (): RawEntry => {
    const first = paragraph[0];
    const last = paragraph[paragraph.length - 1];
    const text = decode(paragraph);
    paragraph = [];
    const base = { offset: first.offset, line: first.line, end: last.end, endLine: last.line + 1, id: `${name}:${first.line + 1}` };
    return text === undefined ? { ...base, problem: { kind: 'bad', reason: 'invalid UTF-8' } } : { ...base, text };
  };
  for await (const line of lines) {
    if (!isBlank(line.bytes)) {
      paragraph.push(line);
      continue;
    }
    // Blank lines only separate paragraphs; they are not records.
    if (paragraph.length > 0) yield flush();
  }
  if (paragraph.length > 0) yield flush();
}
