import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetRecordError } from './errors.js';
import { fileSource } from './files.js';
import type { DatasetRecord, DatasetStream } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'kato-text-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function file(content: string | Buffer, suffix = '.txt'): string {
  const path = join(dir, `t${fileCount++}${suffix}`);
  writeFileSync(path, content);
  return path;
}

async function readAll(stream: DatasetStream): Promise<DatasetRecord[]> {
  const out: DatasetRecord[] = [];
  for await (const record of stream) out.push(record);
  return out;
}

describe('plain-text source', () => {
  it('yields a record per line, filtering blank lines without shifting cursors', async () => {
    const path = file('first line\n\nsecond line\r\n   \nthird, no newline');
    const stream = fileSource(path).open();
    const records = await readAll(stream);
    expect(records.map((r) => r.text)).toEqual(['first line', 'second line', 'third, no newline']);
    expect(records.map((r) => r.id)).toEqual([`t${fileCount - 1}.txt:1`, `t${fileCount - 1}.txt:3`, `t${fileCount - 1}.txt:5`]);
    expect(records.map((r) => r.cursor.offset)).toEqual([0, 12, 29]);
    expect(stream.stats).toMatchObject({ read: 5, yielded: 3, filtered: 2, truncated: 0 });
    expect(fileSource(path).describe()).toMatchObject({ kind: 'text', normalizer: 'none' });
    expect(fileSource(path).describe().textField).toBeUndefined();
  });

  it('yields a record per blank-line-separated paragraph', async () => {
    const text = '\uFEFFPara one,\nstill one.\n\n\nPara two.\r\n\r\nPara\nthree.\n';
    const path = file(text);
    const source = fileSource(path, { textMode: 'paragraph' });
    const records = await readAll(source.open());
    expect(records.map((r) => r.text)).toEqual(['Para one,\nstill one.', 'Para two.', 'Para\nthree.']);
    expect(records.map((r) => (r.cursor.unit === 'byte' ? r.cursor.line : -1))).toEqual([0, 4, 6]);
    for (let i = 0; i < records.length; i++) {
      expect(await readAll(source.open(records[i].cursor))).toEqual(records.slice(i));
      expect(await readAll(source.open(records[i].next))).toEqual(records.slice(i + 1));
    }
  });

  it('reads gzip text with the same records and cursors', async () => {
    const content = 'one\ntwo\n\nthree\n';
    const plain = await readAll(fileSource(file(content)).open());
    const gz = await readAll(fileSource(file(gzipSync(content), '.txt.gz')).open());
    const position = (r: DatasetRecord): unknown[] => [r.text, r.cursor.offset, r.cursor.unit === 'byte' ? r.cursor.line : -1];
    expect(gz.map(position)).toEqual(plain.map(position));
  });

  it('treats invalid UTF-8 as a bad record naming the line', async () => {
    const path = file(Buffer.concat([Buffer.from('good\n'), Buffer.from([0x62, 0x61, 0x64, 0xc3, 0x28, 0x0a]), Buffer.from('fine\n')]));
    await expect(readAll(fileSource(path).open())).rejects.toThrow(DatasetRecordError);
    await expect(readAll(fileSource(path).open())).rejects.toThrow(/line 2.*invalid UTF-8/);
    const stream = fileSource(path).open(undefined, { skipBad: true });
    expect((await readAll(stream)).map((r) => r.text)).toEqual(['good', 'fine']);
    expect(stream.stats).toMatchObject({ read: 3, yielded: 2, bad: 1 });
  });
});
