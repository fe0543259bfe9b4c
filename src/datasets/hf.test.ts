import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { DatasetReadError } from './errors.js';
import { huggingFaceEndpoint, huggingFaceSource, parseHuggingFaceUrl } from './hf.js';
import type { DatasetRecord, DatasetStream } from './types.js';

async function readAll(stream: DatasetStream): Promise<DatasetRecord[]> {
  const out: DatasetRecord[] = [];
  for await (const record of stream) out.push(record);
  return out;
}

const shardTexts = [0, 1].map((shard) => Array.from({ length: 30 }, (_, i) => `shard ${shard} story ${i} ${'once upon a time '.repeat(i % 5)}`));
const shardFiles = shardTexts.map((texts) =>
  Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'text', data: texts, type: 'STRING' }], rowGroupSize: 10 })),
);

interface Logged {
  method: string;
  url: string;
  range?: string;
  authorization?: string;
}

/** A stand-in for the Hub on 127.0.0.1, laid out like the Hub's Parquet conversion. */
let server: Server;
let base = '';
let log: Logged[] = [];
let failRanges = false;

function hub(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '';
  log.push({ method: req.method ?? '', url, range: req.headers.range, authorization: req.headers.authorization });
  const json = (body: unknown): void => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const api = '/api/datasets/stories/tiny/parquet';
  const listed = (split: string): string[] => [0, 1].map((n) => `${base}${api}/default/${split}/${n}.parquet`);
  if (url === api) return json({ default: { train: listed('train'), test: listed('test') } });
  if (url === `${api}/default/train`) return json(listed('train'));
  if (url === '/api/datasets/stories/multi/parquet') return json({ en: { train: [] }, fr: { train: [] } });
  const short = /^\/api\/datasets\/stories\/tiny\/parquet\/default\/train\/(\d)\.parquet$/.exec(url);
  if (short) {
    // The Hub redirects a shard's short URL to the file on the conversion branch.
    res.writeHead(302, { location: `/datasets/stories/tiny/resolve/refs%2Fconvert%2Fparquet/default/train/000${short[1]}.parquet` });
    return void res.end();
  }
  const file = /^\/datasets\/stories\/tiny\/resolve\/refs%2Fconvert%2Fparquet\/default\/train\/000(\d)\.parquet$/.exec(url);
  if (file) {
    const body = shardFiles[Number(file[1])];
    if (req.method === 'HEAD') {
      res.writeHead(200, { 'content-length': body.length, 'accept-ranges': 'bytes' });
      return void res.end();
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (!range) {
      res.writeHead(200, { 'content-length': body.length });
      return void res.end(body);
    }
    if (failRanges) {
      res.writeHead(503);
      return void res.end('unavailable');
    }
    const start = Number(range[1]);
    const end = range[2] === '' ? body.length - 1 : Math.min(Number(range[2]), body.length - 1);
    res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${body.length}`, 'content-length': end - start + 1 });
    return void res.end(body.subarray(start, end + 1));
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end('{"error":"not found"}');
}

beforeAll(async () => {
  server = createServer(hub);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => {
  log = [];
  failRanges = false;
});

const fastRetry = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 };

describe('Hugging Face source', () => {
  it('parses hf:// URLs', () => {
    expect(parseHuggingFaceUrl('hf://datasets/allenai/c4/en/validation')).toEqual({ dataset: 'allenai/c4', config: 'en', split: 'validation' });
    expect(parseHuggingFaceUrl('hf://datasets/allenai/c4/en')).toEqual({ dataset: 'allenai/c4', config: 'en', split: 'train' });
    expect(parseHuggingFaceUrl('hf://datasets/roneneldan/TinyStories')).toEqual({ dataset: 'roneneldan/TinyStories', split: 'train' });
    expect(() => parseHuggingFaceUrl('hf://datasets/wikitext')).toThrow(ValidationError);
    expect(() => parseHuggingFaceUrl('hf://models/gpt2/x')).toThrow(/expected hf:\/\/datasets/);
  });

  it('lists the Parquet shards and reads them in order with range requests', async () => {
    const source = huggingFaceSource('hf://datasets/stories/tiny/default/train', { endpoint: base, retry: fastRetry });
    expect(source.describe()).toMatchObject({ name: 'hf', kind: 'hf', textField: 'text', resume: 'seek' });
    const records = await readAll(source.open());
    expect(records.map((r) => r.text)).toEqual([...shardTexts[0], ...shardTexts[1]]);
    expect(records[45].cursor).toEqual({ source: 'hf', shard: 1, shardName: 'default/train/1.parquet', unit: 'row', offset: 15 });
    expect(records[45].id).toBe('default/train/1.parquet#15');
    const fileGets = log.filter((l) => l.method === 'GET' && l.url.includes('/resolve/'));
    expect(fileGets.length).toBeGreaterThan(0);
    expect(fileGets.every((l) => l.range?.startsWith('bytes='))).toBe(true);
  });

  it('resumes at a cursor by fetching only that shard, from the row group holding the row', async () => {
    const source = huggingFaceSource('hf://datasets/stories/tiny/default/train', { endpoint: base, retry: fastRetry });
    const cursor = { source: 'hf', shard: 1, shardName: 'default/train/1.parquet', unit: 'row' as const, offset: 25 };
    const records = await readAll(source.open(cursor));
    expect(records.map((r) => r.text)).toEqual(shardTexts[1].slice(25));
    const fileRequests = log.filter((l) => l.url.includes('/resolve/'));
    expect(fileRequests.every((l) => l.url.endsWith('0001.parquet'))).toBe(true);
    const file = shardFiles[1];
    const metadata = parquetMetadata(file.buffer.slice(file.byteOffset, file.byteOffset + file.length));
    const group2 = Number(metadata.row_groups[2].columns[0].meta_data?.data_page_offset);
    const ranges = fileRequests
      .map((l) => /^bytes=(\d+)-(\d+)$/.exec(l.range ?? ''))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [Number(m[1]), Number(m[2])]);
    // Reads ending at the last byte fetch the footer; all other reads are column data of row group 2.
    const dataRanges = ranges.filter(([, end]) => end !== file.length - 1);
    expect(dataRanges.length).toBeGreaterThan(0);
    for (const [start] of dataRanges) expect(start).toBeGreaterThanOrEqual(group2);
  });

  it('takes the endpoint from KATO_HF_ENDPOINT and picks the only or default config', async () => {
    const saved = process.env.KATO_HF_ENDPOINT;
    process.env.KATO_HF_ENDPOINT = `${base}/`;
    try {
      expect(huggingFaceEndpoint()).toBe(base);
      const records = await readAll(huggingFaceSource('hf://datasets/stories/tiny', { retry: fastRetry }).open());
      expect(records).toHaveLength(60);
    } finally {
      if (saved === undefined) delete process.env.KATO_HF_ENDPOINT;
      else process.env.KATO_HF_ENDPOINT = saved;
    }
    expect(huggingFaceEndpoint()).toBe(saved?.replace(/\/+$/, '') ?? 'https://huggingface.co');
  });

  it('asks for a config when the dataset has several, and reports a missing split', async () => {
    await expect(readAll(huggingFaceSource('hf://datasets/stories/multi', { endpoint: base }).open())).rejects.toThrow(
      /has 2 configs \(en, fr\); name one/,
    );
    await expect(readAll(huggingFaceSource('hf://datasets/stories/tiny/default/nosuch', { endpoint: base }).open())).rejects.toThrow(
      ValidationError,
    );
  });

  it('sends the access token', async () => {
    await readAll(huggingFaceSource('hf://datasets/stories/tiny/default/train', { endpoint: base, token: 'hf_test' }).open());
    expect(log.length).toBeGreaterThan(0);
    expect(log.every((l) => l.authorization === 'Bearer hf_test')).toBe(true);
  });

  it('turns a failing server into a read error after retries, never into an early end', async () => {
    const source = huggingFaceSource('hf://datasets/stories/tiny/default/train', { endpoint: base, retry: fastRetry });
    failRanges = true;
    const error = await readAll(source.open()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetReadError);
    expect((error as Error).message).toContain('/api/datasets/stories/tiny/parquet/default/train/0.parquet');
    const failedRanges = log.filter((l) => l.range !== undefined && l.url.includes('/resolve/'));
    expect(failedRanges.length).toBeGreaterThanOrEqual(fastRetry.attempts);
  });
});
