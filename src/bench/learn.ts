/**
 * bench:learn — batched learn throughput of the SQLite store (8-symbol patterns, patterns/s)
 * as a node's KB grows past 10^4, 10^5 and 10^6 distinct patterns.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunkEvents, patternName } from '../engine/names.js';
import type { LearnItem } from '../engine/types.js';
import { databasePath, openStore } from '../store/index.js';
import { seededRandom, zipfSampler } from './random.js';

const BATCH = 50_000;
const WINDOW = 200_000;
const MARKS = [10_000, 100_000, 1_000_000];
const VOCABULARY = 50_257;

const random = seededRandom(42);
const rank = zipfSampler(VOCABULARY, 1.0, random);
// Symbols come from a fixed vocabulary, as token strings come from the tokenizer's table.
const vocabulary = Array.from({ length: VOCABULARY }, (_, i) => `tok${i}`);

function batch(size: number): LearnItem[] {
  const items: LearnItem[] = [];
  for (let i = 0; i < size; i++) {
    const symbols: string[] = [];
    for (let k = 0; k < 8; k++) symbols.push(vocabulary[rank()]);
    const events = chunkEvents(symbols);
    items.push({ events, name: patternName(events) });
  }
  return items;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kato-bench-learn-'));
  const store = openStore(dir);
  const results: { size: number; rate: number }[] = [];
  let size = 0;
  let hashSeconds = 0;
  try {
    for (const mark of MARKS) {
      // Grow to the mark, then time a window of batches there.
      while (size < mark) {
        const items = batch(Math.min(BATCH, mark - size));
        const out = await store.learn('bench', items, { persistence: 5 });
        size += out.filter((o) => o.created).length;
      }
      let learned = 0;
      let seconds = 0;
      while (learned < WINDOW) {
        const t0 = performance.now();
        const items = batch(BATCH);
        const t1 = performance.now();
        const out = await store.learn('bench', items, { persistence: 5 });
        seconds += (performance.now() - t1) / 1000;
        hashSeconds += (t1 - t0) / 1000;
        learned += out.length;
        size += out.filter((o) => o.created).length;
      }
      const rate = learned / seconds;
      results.push({ size, rate });
      console.log(`KB ≈ ${mark.toLocaleString('en-US')} distinct patterns: ${Math.round(rate).toLocaleString('en-US')} patterns/s (batch ${BATCH})`);
    }
    const first = results[0].rate;
    const last = results[results.length - 1].rate;
    console.log(`rate at 10^6 vs 10^4: ${((last / first) * 100).toFixed(1)}% (target ≥ 80%; target rate ≥ 100,000 patterns/s)`);
    console.log(`pattern generation + naming (not in the figures above): ${Math.round((results.length * WINDOW) / hashSeconds).toLocaleString('en-US')} patterns/s`);
    // Until a checkpoint, most of what was written is in the write-ahead log beside the file.
    const path = databasePath(dir);
    const sizeOf = (file: string) => (existsSync(file) ? statSync(file).size : 0);
    const [main, wal] = [sizeOf(path), sizeOf(`${path}-wal`)];
    console.log(`database size: ${((main + wal) / 1e6).toFixed(0)} MB (file ${(main / 1e6).toFixed(0)} MB, write-ahead log ${(wal / 1e6).toFixed(0)} MB)`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
