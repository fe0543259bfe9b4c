/**
 * Byte-exact line reading from a byte offset: plain files seek, gzip files re-inflate the
 * prefix without parsing it. Each line carries its byte offset, line index and terminator state.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DatasetCursorError } from './errors.js';
import type { ShardPosition } from './shard.js';

/** One line without its `\n` or `\r\n` (and without a UTF-8 BOM at the start of the file). */
export interface Line {
  readonly bytes: Buffer;
  /** Byte offset of the line's first byte. */
  readonly offset: number;
  /** Byte offset right after its terminator (or after its last byte when unterminated). */
  readonly end: number;
  /** 0-based line index. */
  readonly line: number;
  /** False only for a last line with no `\n`: possibly an incomplete write. */
  readonly terminated: boolean;
}

const NEWLINE = 0x0a;
const READ_CHUNK = 256 * 1024;

/** Lines of a (possibly gzipped) file from `at`, which must be the start of a line. */
export function readLines(path: string, at: ShardPosition, gzip: boolean): AsyncIterable<Line> {
  const bytes = gzip ? gunzipBytesFrom(path, at.offset) : fileBytesFrom(path, at.offset);
  return splitLines(bytes, at.offset, at.line ?? 0);
}

function notLineStart(path: string, offset: number): DatasetCursorError {
  return new DatasetCursorError(
    `cursor byte offset ${offset} is not the start of a line in ${path}: the file changed since the cursor was taken`,
    { file: path, offset },
  );
}

function pastEnd(path: string, offset: number, size: number): DatasetCursorError {
  return new DatasetCursorError(
    `cursor byte offset ${offset} is past the end of ${path} (${size} bytes): the file changed since the cursor was taken`,
    { file: path, offset, size },
  );
}

/** Bytes of a plain file from `offset` on; only the byte before `offset` is read to check it. */
async function* fileBytesFrom(path: string, offset: number): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (offset > size) throw pastEnd(path, offset, size);
    if (offset > 0 && offset < size) {
      const before = Buffer.alloc(1);
      await handle.read(before, 0, 1, offset - 1);
      if (before[0] !== NEWLINE) throw notLineStart(path, offset);
    }
    if (offset === size) return;
    const stream = handle.createReadStream({ start: offset, highWaterMark: READ_CHUNK, autoClose: false });
    for await (const chunk of stream) yield chunk as Buffer;
  } finally {
    await handle.close();
  }
}

/**
 * Uncompressed bytes of a gzip file from `offset` on. Gzip cannot seek, so the prefix is
 * inflated and dropped (never split into lines or parsed). A corrupt or truncated gzip stream
 * throws; it never looks like the end of the data.
 */
async function* gunzipBytesFrom(path: string, offset: number): AsyncGenerator<Buffer> {
  const inflated = pipeline(createReadStream(path, { highWaterMark: READ_CHUNK }), createGunzip(), () => {});
  let position = 0;
  let lastByte = -1;
  for await (const chunk of inflated as AsyncIterable<Buffer>) {
    const chunkEnd = position + chunk.length;
    if (chunkEnd <= offset) {
      if (chunk.length > 0) lastByte = chunk[chunk.length - 1];
      position = chunkEnd;
      continue;
    }
    if (position <= offset) {
      const start = offset - position;
      const before = start > 0 ? chunk[start - 1] : lastByte;
      if (offset > 0 && before !== NEWLINE) throw notLineStart(path, offset);
      yield chunk.subarray(start);
    } else {
      yield chunk;
    }
    position = chunkEnd;
  }
  if (position < offset) throw pastEnd(path, offset, position);
}

/** Splits a byte stream into lines, keeping exact byte offsets. */
async function* splitLines(chunks: AsyncIterable<Buffer>, offset: number, line: number): AsyncGenerator<Line> {
  let pending: Buffer[] = [];
  let pendingLength = 0;
  let position = offset;
  let index = line;
  const make = (raw: Buffer, terminated: boolean): Line => {
    const end = position + raw.length + (terminated ? 1 : 0);
    let bytes = raw;
    // A BOM is only a BOM at the very start of the file.
    if (position === 0 && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      bytes = bytes.subarray(3);
    }
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    return { bytes, offset: position, end, line: index, terminated };
  };
  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline < 0) break;
      const piece = chunk.subarray(start, newline);
      const raw = pendingLength > 0 ? Buffer.concat([...pending, piece]) : piece;
      pending = [];
      pendingLength = 0;
      const result = make(raw, true);
      yield result;
      position = result.end;
      index++;
      start = newline + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingLength += chunk.length - start;
    }
  }
  if (pendingLength > 0) yield make(Buffer.concat(pending), false);
}
