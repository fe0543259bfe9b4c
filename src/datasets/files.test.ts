import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { DatasetCursorError } from './errors.js';
import { fileSource, formatOf, globRegExp, listShardFiles } from './files.js';
import type { DatasetRecord, DatasetStream } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'kato-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(stream: DatasetStream): Promise<DatasetRecord[]> {
  const out: DatasetRecord[] = [];
  for await (const record of stream) out.push(record);
  return out;
}

beforeAll(() => {
  mkdirSync(join(dir, 'corpus', 'b'), { recursive: true });
  mkdirSync(join(dir, 'corpus', '.hidden'), { recursive: true });
  writeFileSync(join(dir, 'corpus', 'a.jsonl'), '{"text":"a1"}\n{"text":"a2"}\n');
  writeFileSync(join(dir, 'corpus', 'b', 'c.txt'), 'c1\nc2\n');
  writeFileSync(join(dir, 'corpus', 'b', 'd.jsonl.gz'), gzipSync('{"text":"d1"}\n'));
  writeFileSync(
    join(dir, 'corpus', 'e.parquet'),
    Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'text', data: ['e1', 'e2', 'e3'], type: 'STRING' }], rowGroupSize: 2 })),
  );
  writeFileSync(join(dir, 'corpus', 'notes.md'), '# not a shard\n');
  writeFileSync(join(dir, 'corpus', '.hidden', 'x.jsonl'), '{"text":"hidden"}\n');
  writeFileSync(join(dir, 'corpus', 'Z.jsonl'), '{"text":"Z1"}\n');
});

describe('file shards', () => {
  it('guesses formats from extensions', () => {
    expect(['a.jsonl', 'a.JSONL.GZ', 'a.ndjson', 'c4-0001.json.gz', 'b.txt', 'b.txt.gz', 'p.parquet', 'x.csv'].map(formatOf)).toEqual([
      'jsonl',
      'jsonl',
      'jsonl',
      'jsonl',
      'text',
      'text',
      'parquet',
      undefined,
    ]);
  });

  it('lists a directory recursively in code-point order, skipping hidden and unknown files', () => {
    expect(listShardFiles(join(dir, 'corpus')).map((f) => f.name)).toEqual(['Z.jsonl', 'a.jsonl', 'b/c.txt', 'b/d.jsonl.gz', 'e.parquet']);
  });

  it('matches globs with *, ** and ?', () => {
    expect(listShardFiles(join(dir, 'corpus', '*.jsonl')).map((f) => f.name)).toEqual(['Z.jsonl', 'a.jsonl']);
    expect(listShardFiles(join(dir, 'corpus', '**', '*.jsonl*')).map((f) => f.name)).toEqual(['Z.jsonl', 'a.jsonl', 'b/d.jsonl.gz']);
    expect(listShardFiles(join(dir, 'corpus', 'b', '?.txt')).map((f) => f.name)).toEqual(['c.txt']);
    expect(globRegExp('data/[!x]*.parquet').test('data/train.parquet')).toBe(true);
    expect(globRegExp('data/[!x]*.parquet').test('data/xtrain.parquet')).toBe(false);
  });

  it('reads mixed shards in order, with the shard index and name in every cursor', async () => {
    const source = fileSource(join(dir, 'corpus'), { name: 'mixed' });
    expect(source.describe()).toMatchObject({ name: 'mixed', kind: 'files', resume: 'reinflate' });
    const records = await readAll(source.open());
    expect(records.map((r) => r.text)).toEqual(['Z1', 'a1', 'a2', 'c1', 'c2', 'd1', 'e1', 'e2', 'e3']);
    expect(records.map((r) => `${r.cursor.shard}:${r.cursor.shardName}:${r.cursor.unit}`)).toEqual([
      '0:Z.jsonl:byte',
      '1:a.jsonl:byte',
      '1:a.jsonl:byte',
      '2:b/c.txt:byte',
      '2:b/c.txt:byte',
      '3:b/d.jsonl.gz:byte',
      '4:e.parquet:row',
      '4:e.parquet:row',
      '4:e.parquet:row',
    ]);
    for (let i = 0; i < records.length; i++) {
      expect(await readAll(source.open(records[i].cursor))).toEqual(records.slice(i));
      expect(await readAll(source.open(records[i].next))).toEqual(records.slice(i + 1));
    }
  });

  it('refuses a cursor whose shard no longer matches the listing', async () => {
    const source = fileSource(join(dir, 'corpus'), { name: 'mixed' });
    const records = await readAll(source.open());
    const moved = { ...records[3].cursor, shard: 1 };
    await expect(readAll(source.open(moved))).rejects.toBeInstanceOf(DatasetCursorError);
    const beyond = { ...records[3].cursor, shard: 9 };
    await expect(readAll(source.open(beyond))).rejects.toThrow(/names shard 9, but 'mixed' has 5 shards/);
  });

  it('refuses a directory or glob holding a shard both plain and gzipped, naming both files', () => {
    const twins = join(dir, 'twins');
    mkdirSync(join(twins, 'sub'), { recursive: true });
    writeFileSync(join(twins, 'a.jsonl'), '{"text":"a1"}\n');
    writeFileSync(join(twins, 'b.jsonl'), '{"text":"b1"}\n');
    writeFileSync(join(twins, 'sub', 'a.jsonl'), '{"text":"a1"}\n');
    writeFileSync(join(twins, 'sub', 'a.jsonl.gz'), gzipSync('{"text":"a1"}\n'));
    const both = `holds both ${join(twins, 'sub', 'a.jsonl')} and ${join(twins, 'sub', 'a.jsonl.gz')}`;
    expect(() => fileSource(twins)).toThrow(ValidationError);
    expect(() => fileSource(twins)).toThrow(both);
    expect(() => fileSource(twins)).toThrow(/would learn its documents twice; remove one of them/);
    expect(() => fileSource(join(twins, '**', 'a.jsonl*'))).toThrow(both);
    // One of the two chosen by a glob, or a shard whose copy lives elsewhere, is read once.
    expect(listShardFiles(join(twins, '**', '*.jsonl')).map((f) => f.name)).toEqual(['a.jsonl', 'b.jsonl', 'sub/a.jsonl']);
    expect(listShardFiles(join(twins, '*.jsonl*')).map((f) => f.name)).toEqual(['a.jsonl', 'b.jsonl']);
  });

  it('fails clearly for a missing path, an empty glob and an unknown format', () => {
    expect(() => fileSource(join(dir, 'nope.jsonl'))).toThrow(ValidationError);
    expect(() => fileSource(join(dir, 'corpus', '*.csv'))).toThrow(/no dataset files/);
    expect(() => fileSource(join(dir, 'corpus', 'notes.md'))).toThrow(/cannot tell the format/);
    expect(fileSource(join(dir, 'corpus', 'notes.md'), { format: 'text' }).describe().kind).toBe('text');
  });
});
