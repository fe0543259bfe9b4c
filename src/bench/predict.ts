/**
 * bench:predict — latency of a prediction for an 8-symbol STM (default session config) against
 * node KBs of about 10^5 and 10^6 8-symbol patterns over a Zipf vocabulary, with build times.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { predict } from '../engine/predictions/index.js';
import { chunkEvents, patternName } from '../engine/names.js';
import type { Event, LearnItem, SessionConfig } from '../engine/types.js';
import { openStore } from '../store/index.js';
import { storePredictionSource } from '../store/prediction-source.js';
import { seededRandom, zipfSampler } from './random.js';
import { DEFAULT_CONFIG } from '../engine/processor/config.js';

const SIZES = [100_000, 1_000_000];
const BATCH = 50_000;
const VOCABULARY = 50_257;
const QUERIES = 400;
const WARMUP = 20;

const CONFIG: SessionConfig = DEFAULT_CONFIG;

const vocabulary = Array.from({ length: VOCABULARY }, (_, i) => `tok${i}`);

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function benchSize(size: number): Promise<void> {
  const random = seededRandom(size);
  const rank = zipfSampler(VOCABULARY, 1.0, random);
  const symbols = () => Array.from({ length: 8 }, () => vocabulary[rank()]);
  const dir = mkdtempSync(join(tmpdir(), 'kato-bench-predict-'));
  const store = openStore(dir);
  try {
    // Build: learn batches until the node holds `size` distinct patterns; keep some to copy as STMs.
    const copies: Event[][] = [];
    const t0 = performance.now();
    let distinct = 0;
    while (distinct < size) {
      const items: LearnItem[] = [];
      for (let i = 0; i < Math.min(BATCH, size - distinct); i++) {
        const events = chunkEvents(symbols());
        items.push({ events, name: patternName(events) });
        if (copies.length < QUERIES && random() < (2 * QUERIES) / size) copies.push(events);
      }
      const outcomes = await store.learn('bench', items, { persistence: 5 });
      distinct += outcomes.filter((o) => o.created).length;
    }
    const buildSeconds = (performance.now() - t0) / 1000;

    const source = storePredictionSource(store, 'bench');
    const t1 = performance.now();
    await source.candidateIndex!();
    const indexSeconds = (performance.now() - t1) / 1000;
    const rssMiB = process.memoryUsage().rss / 2 ** 20;

    // Half the STMs are learned patterns, half fresh draws from the same vocabulary.
    const stms: Event[][] = [];
    for (let q = 0; q < QUERIES + WARMUP; q++) stms.push(q % 2 === 0 ? copies[(q / 2) % copies.length] : chunkEvents(symbols()));
    const latencies: number[] = [];
    let returned = 0;
    for (let q = 0; q < stms.length; q++) {
      const start = performance.now();
      const { predictions } = await predict(stms[q], CONFIG, source);
      const ms = performance.now() - start;
      if (q >= WARMUP) {
        latencies.push(ms);
        returned += predictions.length;
      }
    }
    latencies.sort((a, b) => a - b);
    const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
    console.log(
      `KB ${size.toLocaleString('en-US')} patterns: build ${buildSeconds.toFixed(1)} s, candidate index load ${indexSeconds.toFixed(1)} s ` +
        `(process RSS ${rssMiB.toFixed(0)} MiB); ` +
        `predict (${QUERIES} STMs of 8 symbols, half copied, half random): p50 ${fmt(quantile(latencies, 0.5))}, ` +
        `p95 ${fmt(quantile(latencies, 0.95))}, max ${fmt(latencies[latencies.length - 1])}; ` +
        `${(returned / QUERIES).toFixed(1)} predictions per STM`,
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  // `node dist/bench/predict.js 100000` benches one size.
  const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : SIZES;
  for (const size of sizes) await benchSize(size);
  console.log('target: p95 < 10 ms at 10^6 patterns');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
