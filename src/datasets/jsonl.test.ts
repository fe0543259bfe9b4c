import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { cursorToString, parseCursor } from './cursor.js';
import { DatasetCursorError, DatasetReadError, DatasetRecordError } from './errors.js';
import { fileSource } from './files.js';
import type { Cursor, DatasetProblem, DatasetRecord, DatasetStream } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'kato-jsonl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function file(content: string | Buffer, suffix = '.jsonl'): string {
  const path = join(dir, `f${fileCount++}${suffix}`);
  writeFileSync(path, content);
  return path;
}

async function readAll(stream: DatasetStream): Promise<DatasetRecord[]> {
  const out: DatasetRecord[] = [];
  for await (const record of stream) out.push(record);
  return out;
}

const lines = (...records: unknown[]): string => records.map((r) => JSON.stringify(r) + '\n').join('');

describe('JSONL source', () => {
  it('yields one record per line with its own cursor and the cursor after it', async () => {
    const path = file(lines({ text: 'alpha' }, { text: 'beta' }, { text: 'gamma' }));
    const stream = fileSource(path).open();
    const records = await readAll(stream);
    expect(records.map((r) => r.text)).toEqual(['alpha', 'beta', 'gamma']);
    expect(records.map((r) => r.id)).toEqual([`f${fileCount - 1}.jsonl:1`, `f${fileCount - 1}.jsonl:2`, `f${fileCount - 1}.jsonl:3`]);
    expect(records[0].cursor).toMatchObject({ source: 'jsonl', shard: 0, unit: 'byte', offset: 0, line: 0 });
    expect(records[1].cursor).toEqual(records[0].next);
    expect(records[1].cursor).toMatchObject({ offset: '{"text":"alpha"}\n'.length, line: 1 });
    expect(stream.stats).toEqual({ read: 3, yielded: 3, filtered: 0, nulls: 0, bad: 0, truncated: 0 });
  });

  it('opened at any record cursor or next cursor yields exactly the rest', async () => {
    const path = file(lines(...Array.from({ length: 30 }, (_, i) => ({ text: i % 4 === 0 ? '' : `record ${i} ${'é'.repeat(i)}` }))));
    const source = fileSource(path);
    const all = await readAll(source.open());
    for (let i = 0; i < all.length; i++) {
      const fromCursor = await readAll(source.open(parseCursor(cursorToString(all[i].cursor))));
      expect(fromCursor).toEqual(all.slice(i));
      const fromNext = await readAll(source.open(all[i].next));
      expect(fromNext).toEqual(all.slice(i + 1));
    }
  });

  it('filtering empty or short records never shifts cursors', async () => {
    const path = file(lines({ text: 'long enough' }, { text: '' }, { text: 'ab' }, { text: '   ' }, { text: 'also long enough' }));
    const loose = await readAll(fileSource(path).open(undefined, { minChars: 0 }));
    const stream = fileSource(path).open(undefined, { minChars: 5 });
    const strict = await readAll(stream);
    expect(strict.map((r) => r.text)).toEqual(['long enough', 'also long enough']);
    expect(strict[1].cursor).toEqual(loose[4].cursor);
    expect(stream.stats).toMatchObject({ read: 5, yielded: 2, filtered: 3 });
  });

  it('takes the text from a configurable field and the id from an id field', async () => {
    const path = file(lines({ content: 'web page', url: 'https://example.org/a' }, { content: 'another', url: 7 }));
    const records = await readAll(fileSource(path, { textField: 'content', idField: 'url' }).open());
    expect(records.map((r) => [r.id, r.text])).toEqual([
      ['https://example.org/a', 'web page'],
      ['7', 'another'],
    ]);
    expect(fileSource(path, { textField: 'content' }).describe()).toMatchObject({ kind: 'jsonl', textField: 'content', resume: 'seek' });
  });

  it('skips a UTF-8 byte-order mark at the start of the file only', async () => {
    const path = file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines({ text: 'first' }, { text: 'second' }))]));
    const records = await readAll(fileSource(path).open());
    expect(records.map((r) => r.text)).toEqual(['first', 'second']);
    expect(records[1].cursor.offset).toBe(3 + '{"text":"first"}\n'.length);
  });

  it('reads CRLF line ends and counts their bytes', async () => {
    const path = file('{"text":"one"}\r\n{"text":"two"}\r\n');
    const records = await readAll(fileSource(path).open());
    expect(records.map((r) => r.text)).toEqual(['one', 'two']);
    expect(records[1].cursor.offset).toBe(16);
    expect(records[1].next.offset).toBe(32);
    expect(await readAll(fileSource(path).open(records[0].next))).toEqual([records[1]]);
  });

  it('skips blank lines between records without counting them as records', async () => {
    const path = file('{"text":"a"}\n\n   \n{"text":"b"}\n\n');
    const stream = fileSource(path).open();
    expect((await readAll(stream)).map((r) => r.text)).toEqual(['a', 'b']);
    expect(stream.stats).toMatchObject({ read: 2, yielded: 2, filtered: 0 });
  });

  it('treats a truncated last line as an incomplete write: counted, reported, not fatal', async () => {
    const path = file(lines({ text: 'complete' }) + '{"text":"cut off in the mid');
    const seen: DatasetProblem[] = [];
    const stream = fileSource(path).open(undefined, { onProblem: (p) => seen.push(p) });
    expect((await readAll(stream)).map((r) => r.text)).toEqual(['complete']);
    expect(stream.stats).toMatchObject({ read: 2, yielded: 1, truncated: 1, bad: 0 });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ kind: 'truncated', file: path, line: 2 });
    expect(seen[0].reason).toMatch(/incomplete last line/);
    expect(stream.problems).toEqual(seen);
  });

  it('reads a complete last line without a trailing newline', async () => {
    const path = file('{"text":"a"}\n{"text":"b"}');
    const stream = fileSource(path).open();
    expect((await readAll(stream)).map((r) => r.text)).toEqual(['a', 'b']);
    expect(stream.stats.truncated).toBe(0);
  });

  it('stops on a corrupt line in the middle with an error naming file and line', async () => {
    const path = file(lines({ text: 'ok' }) + '{"text": broken}\n' + lines({ text: 'after' }));
    const stream = fileSource(path).open();
    const received: string[] = [];
    const error = await (async () => {
      try {
        for await (const record of stream) received.push(record.text);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(received).toEqual(['ok']);
    expect(error).toBeInstanceOf(DatasetRecordError);
    const recordError = error as DatasetRecordError;
    expect(recordError.message).toContain(`${path} line 2`);
    expect(recordError.message).toMatch(/invalid JSON/);
    expect(recordError.details).toMatchObject({ file: path, line: 2, cursor: expect.stringMatching(/:b14\.1$/) });
    expect(stream.stats.bad).toBe(1);
  });

  it('skips corrupt records when asked, counting and reporting each', async () => {
    const path = file('');
    const raw = Buffer.concat([
      Buffer.from(lines({ text: 'a' }) + '{"text": broken}\n' + lines({ other: 'no text field' }) + lines({ text: 42 }) + '[1,2]\n'),
      Buffer.from([0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d, 0x0a]),
      Buffer.from(lines({ text: '\ud800 lone' }) + lines({ text: 'b' })),
    ]);
    writeFileSync(path, raw);
    const stream = fileSource(path).open(undefined, { skipBad: true });
    expect((await readAll(stream)).map((r) => r.text)).toEqual(['a', 'b']);
    expect(stream.stats).toMatchObject({ read: 8, yielded: 2, bad: 6 });
    expect(stream.problems.map((p) => [p.line, p.reason])).toEqual([
      [2, expect.stringMatching(/invalid JSON/)],
      [3, "no field 'text' (fields with text: other)"],
      [4, "field 'text' is a number, expected a string (no field holds text)"],
      [5, 'expected a JSON object, found an array'],
      [6, 'invalid UTF-8'],
      [7, expect.stringMatching(/unpaired surrogate/)],
    ]);
  });

  it('stops on a record without the text field unless skipping', async () => {
    const path = file(lines({ text: 'a' }, { body: 'b' }));
    await expect(readAll(fileSource(path).open())).rejects.toThrow(/line 2.*no field 'text'/);
  });

  it('names the fields holding text and suggests --text-field when the text field is missing', async () => {
    const path = file(lines({ id: 7, body: 'the text', title: 'a title', tags: ['x'] }));
    const error = await readAll(fileSource(path).open()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetRecordError);
    expect((error as DatasetRecordError).message).toMatch(
      /line 1 .*: no field 'text' \(fields with text: body, title\); name the field holding the text with --text-field NAME, or skip corrupt records with --skip-bad$/,
    );
    const none = file(lines({ n: 1 }));
    await expect(readAll(fileSource(none).open())).rejects.toThrow(/no field 'text' \(no field holds text\); name the field holding the text with --text-field/);
    const wrongType = file(lines({ text: 3, content: 'words' }));
    await expect(readAll(fileSource(wrongType).open())).rejects.toThrow(/field 'text' is a number, expected a string \(fields with text: content\); .*--text-field/);
    const many = file(lines(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}`, 's']))));
    await expect(readAll(fileSource(many).open())).rejects.toThrow(/fields with text: f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, … \(12 in all\)/);
  });

  it('suggests only skipping for a corrupt record that is not about the text field', async () => {
    const path = file('{"text": broken}\n');
    const error = await readAll(fileSource(path).open()).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/invalid JSON.*; skip corrupt records with --skip-bad/);
    expect((error as Error).message).not.toContain('--text-field');
  });

  it('filters null text and counts it', async () => {
    const path = file(lines({ text: null }, { text: 'x' }));
    const stream = fileSource(path).open();
    expect((await readAll(stream)).map((r) => r.text)).toEqual(['x']);
    expect(stream.stats).toMatchObject({ read: 2, filtered: 1, nulls: 1 });
  });

  it('reads gzip files with uncompressed byte cursors, resuming by re-inflating the prefix', async () => {
    const content = lines(...Array.from({ length: 50 }, (_, i) => ({ text: `doc ${i}` })));
    const plain = file(content);
    const gz = file(gzipSync(Buffer.from(content)), '.jsonl.gz');
    const fromPlain = await readAll(fileSource(plain).open());
    const source = fileSource(gz);
    expect(source.describe().resume).toBe('reinflate');
    const fromGz = await readAll(source.open());
    expect(fromGz.map((r) => [r.text, r.cursor.offset, r.next.offset])).toEqual(
      fromPlain.map((r) => [r.text, r.cursor.offset, r.next.offset]),
    );
    expect(await readAll(source.open(fromGz[37].cursor))).toEqual(fromGz.slice(37));
  });

  it('throws on a truncated gzip stream instead of ending quietly', async () => {
    const whole = gzipSync(Buffer.from(lines(...Array.from({ length: 2000 }, (_, i) => ({ text: `document number ${i}` })))));
    const gz = file(whole.subarray(0, Math.floor(whole.length / 2)), '.jsonl.gz');
    await expect(readAll(fileSource(gz).open())).rejects.toBeInstanceOf(DatasetReadError);
  });

  it('reports a file that vanished after listing as a read error naming it', async () => {
    const path = file(lines({ text: 'soon gone' }));
    const source = fileSource(path);
    rmSync(path);
    const error = await readAll(source.open()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetReadError);
    expect((error as DatasetReadError).message).toContain(path);
    expect((error as DatasetReadError).details).toMatchObject({ file: path, shard: 0 });
  });

  it('rejects a cursor of another source, or one that is not at a line start', async () => {
    const path = file(lines({ text: 'one' }, { text: 'two' }));
    const source = fileSource(path);
    const [first] = await readAll(source.open());
    const other: Cursor = { ...first.next, source: 'brown' };
    await expect(readAll(source.open(other))).rejects.toBeInstanceOf(DatasetCursorError);
    const renamed: Cursor = { ...first.next, shardName: 'elsewhere.jsonl' };
    await expect(readAll(source.open(renamed))).rejects.toThrow(/the data changed/);
    const midLine: Cursor = { ...first.next, offset: first.next.offset + 2 };
    await expect(readAll(source.open(midLine))).rejects.toThrow(/not the start of a line/);
    const pastEnd: Cursor = { ...first.next, offset: 10_000 };
    await expect(readAll(source.open(pastEnd))).rejects.toThrow(/past the end/);
  });

  it('can be iterated once, and stops when its signal is aborted', async () => {
    const path = file(lines({ text: 'a' }, { text: 'b' }, { text: 'c' }));
    const stream = fileSource(path).open();
    await readAll(stream);
    await expect(readAll(stream)).rejects.toThrow(/iterated once/);
    const controller = new AbortController();
    const received: string[] = [];
    await expect(
      (async () => {
        for await (const record of fileSource(path).open(undefined, { signal: controller.signal })) {
          received.push(record.text);
          controller.abort(new Error('stop now'));
        }
      })(),
    ).rejects.toThrow('stop now');
    expect(received).toEqual(['a']);
  });
});
