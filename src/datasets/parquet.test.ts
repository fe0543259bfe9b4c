import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
import type { AsyncBuffer } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { DatasetReadError, DatasetRecordError } from './errors.js';
import { fileSource } from './files.js';
import { parquetShard } from './parquet.js';
import { openStream } from './stream.js';
import type { DatasetRecord, DatasetStream } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'kato-parquet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(stream: DatasetStream): Promise<DatasetRecord[]> {
  const out: DatasetRecord[] = [];
  for await (const record of stream) out.push(record);
  return out;
}

function parquetFile(name: string, columns: Parameters<typeof parquetWriteBuffer>[0]['columnData'], rowGroupSize: number): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.from(parquetWriteBuffer({ columnData: columns, rowGroupSize })));
  return path;
}

const texts = Array.from({ length: 50 }, (_, i) => `row ${i}: ${'word '.repeat(i % 7)}`);
const docs = parquetFile(
  'docs.parquet',
  [
    { name: 'id', data: texts.map((_, i) => `doc-${i}`), type: 'STRING' },
    { name: 'content', data: texts, type: 'STRING' },
  ],
  10,
);

describe('Parquet source', () => {
  it('yields the chosen text column with row cursors', async () => {
    const source = fileSource(docs, { textField: 'content' });
    const stream = source.open();
    const records = await readAll(stream);
    expect(records.map((r) => r.text)).toEqual(texts);
    expect(records[0].id).toBe('docs.parquet#0');
    expect(records[13].cursor).toEqual({ source: 'parquet', shard: 0, shardName: 'docs.parquet', unit: 'row', offset: 13 });
    expect(records[13].next).toMatchObject({ unit: 'row', offset: 14 });
    expect(stream.stats).toMatchObject({ read: 50, yielded: 50 });
    const withIds = await readAll(fileSource(docs, { textField: 'content', idField: 'id' }).open());
    expect(withIds[7].id).toBe('doc-7');
  });

  it('opened at any row yields exactly the rest', async () => {
    const source = fileSource(docs, { textField: 'content' });
    const all = await readAll(source.open());
    for (const i of [0, 1, 9, 10, 11, 25, 39, 40, 49]) {
      expect(await readAll(source.open(all[i].cursor))).toEqual(all.slice(i));
    }
    expect(await readAll(source.open(all[49].next))).toEqual([]);
  });

  it('seeks to the row group holding the cursor row without fetching earlier groups', async () => {
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(docs));
    expect(metadata.row_groups).toHaveLength(5);
    const chunkStart = (group: number): number =>
      Math.min(...metadata.row_groups[group].columns.map((c) => Number(c.meta_data?.dictionary_page_offset ?? c.meta_data?.data_page_offset)));
    const slices: [number, number | undefined][] = [];
    const recording = async (): Promise<AsyncBuffer> => {
      const file = await asyncBufferFromFile(docs);
      return {
        byteLength: file.byteLength,
        slice: (start, end) => {
          slices.push([start, end]);
          return file.slice(start, end);
        },
      };
    };
    const shard = parquetShard('docs.parquet', docs, recording, { textField: 'content' });
    const stream = openStream({ source: 'parquet', shards: async () => [shard] }, {
      source: 'parquet',
      shard: 0,
      shardName: 'docs.parquet',
      unit: 'row',
      offset: 34,
    });
    const records = await readAll(stream);
    expect(records.map((r) => r.text)).toEqual(texts.slice(34));
    // Reads that end at the end of the file fetch the footer (metadata); every other read is
    // column data, and none of it may come from the row groups before the cursor's.
    const byteLength = (await asyncBufferFromFile(docs)).byteLength;
    const dataSlices = slices.filter(([, end]) => (end ?? byteLength) !== byteLength);
    expect(dataSlices.length).toBeGreaterThan(0);
    for (const [start] of dataSlices) expect(start).toBeGreaterThanOrEqual(chunkStart(3));
  });

  it('filters and counts null cells, and reports invalid UTF-8 with its row', async () => {
    const path = parquetFile(
      'nulls.parquet',
      [
        {
          name: 'text',
          data: [new TextEncoder().encode('fine'), null, Uint8Array.from([0x61, 0xff]), new TextEncoder().encode('also fine')],
          type: 'BYTE_ARRAY',
          nullable: true,
        },
      ],
      2,
    );
    await expect(readAll(fileSource(path).open())).rejects.toThrow(DatasetRecordError);
    await expect(readAll(fileSource(path).open())).rejects.toThrow(/nulls\.parquet row 2.*not valid UTF-8/);
    const stream = fileSource(path).open(undefined, { skipBad: true });
    expect((await readAll(stream)).map((r) => r.text)).toEqual(['fine', 'also fine']);
    expect(stream.stats).toEqual({ read: 4, yielded: 2, filtered: 1, nulls: 1, bad: 1, truncated: 0 });
    expect(stream.problems[0]).toMatchObject({ kind: 'bad', row: 2, file: path });
  });

  it('fails up front, naming the columns, when the text column does not exist', async () => {
    await expect(readAll(fileSource(docs).open())).rejects.toThrow(ValidationError);
    await expect(readAll(fileSource(docs).open())).rejects.toThrow(/no column 'text' \(columns: id, content\)/);
  });

  it('reports a corrupt file as a read error, not as the end of the data', async () => {
    const path = join(dir, 'corrupt.parquet');
    writeFileSync(path, Buffer.from('PAR1 this is not really parquet PAR1'));
    await expect(readAll(fileSource(path).open())).rejects.toBeInstanceOf(DatasetReadError);
  });
});
