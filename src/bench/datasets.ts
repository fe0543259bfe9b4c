/**
 * Benchmark of the input side: opening a 1,000,000-record JSONL at its last record (a seek)
 * against reading it from the start, and GPT-2 tokenization throughput on the Brown corpus.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { brownSource, cursorToString, fileSource, type Cursor } from '../datasets/index.js';
import { tokenIds } from '../text/index.js';

const RECORDS = 1_000_000;
const SEEK_TRIALS = 5;

/** Writes the JSONL and returns the cursor of its last record. */
async function writeCorpus(path: string): Promise<Cursor> {
  const out = createWriteStream(path);
  let offset = 0;
  let lastOffset = 0;
  const batch: string[] = [];
  for (let i = 0; i < RECORDS; i++) {
    const line = `${JSON.stringify({ id: i, text: `Record ${i}: the quick brown fox jumps over the lazy dog.` })}\n`;
    lastOffset = offset;
    offset += Buffer.byteLength(line);
    batch.push(line);
    if (batch.length === 10_000) {
      if (!out.write(batch.join(''))) await once(out, 'drain');
      batch.length = 0;
    }
  }
  out.end(batch.join(''));
  await once(out, 'finish');
  return { source: 'jsonl', shard: 0, shardName: 'bench.jsonl', unit: 'byte', offset: lastOffset, line: RECORDS - 1 };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kato-bench-datasets-'));
  try {
    const path = join(dir, 'bench.jsonl');
    const last = await writeCorpus(path);
    console.log(`corpus: ${RECORDS.toLocaleString('en')} JSONL records, ${((await stat(path)).size / 1e6).toFixed(1)} MB`);
    const source = fileSource(path);

    const seekTimes: number[] = [];
    let lastText = '';
    for (let trial = 0; trial < SEEK_TRIALS; trial++) {
      const started = performance.now();
      for await (const record of source.open(last)) {
        lastText = record.text;
        break;
      }
      seekTimes.push(performance.now() - started);
    }
    if (!lastText.startsWith(`Record ${RECORDS - 1}:`)) throw new Error(`seek landed on the wrong record: ${lastText}`);
    console.log(`open at the last record (${cursorToString(last)}): median ${median(seekTimes).toFixed(2)} ms over ${SEEK_TRIALS} opens`);

    const started = performance.now();
    let count = 0;
    for await (const record of source.open()) {
      count++;
      lastText = record.text;
    }
    const fullMs = performance.now() - started;
    console.log(`read from the start to the last record: ${fullMs.toFixed(0)} ms (${count.toLocaleString('en')} records)`);
    console.log(`seek is ${(fullMs / median(seekTimes)).toFixed(0)}× faster than reading from the start; target < 100 ms: ${median(seekTimes) < 100 ? 'met' : 'MISSED'}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const texts: string[] = [];
  for await (const record of brownSource().open()) texts.push(record.text);
  tokenIds(texts[0]);
  const tokenizeStarted = performance.now();
  let tokens = 0;
  for (const text of texts) tokens += tokenIds(text).length;
  const tokenizeMs = performance.now() - tokenizeStarted;
  console.log(
    `tokenize brown: ${texts.length} documents, ${tokens.toLocaleString('en')} GPT-2 tokens in ${tokenizeMs.toFixed(0)} ms = ${Math.round((tokens / tokenizeMs) * 1000).toLocaleString('en')} tokens/s (one core)`,
  );
}

await main();
