/**
 * bench:train — end-to-end embedded training throughput (tokens/s) on the bundled Brown corpus, and
 * the first vs last 10% of a seeded synthetic run whose level-0 KB grows past 10^6 distinct patterns.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/index.js';
import { compact, count, duration } from '../training/format.js';
import { localKnowledgeBase } from '../training/knowledge-base.js';
import { defaultWorkers } from '../training/preparer.js';
import { runTraining, type TrainingReport } from '../training/session.js';
import { writeSyntheticJsonl } from '../training/synthetic.js';
import type { TrainProgress } from '../training/trainer.js';

const HIERARCHY = { levels: 4, chunks: [8, 8, 8, 8], remainder: 'merge' as const };
/** Synthetic documents: ≈ 1,100 words ≈ 3,600 tokens each, so ≈ 11M tokens and > 10^6 level-0 patterns. */
const GROWTH_DOCUMENTS = 3_000;

/** A progress sample with the process's CPU seconds (all threads) at that moment. */
interface Sample extends TrainProgress {
  cpuSeconds: number;
}

interface Measured {
  report: TrainingReport;
  samples: Sample[];
  digestSeconds: number;
  /** CPU seconds of the process (all threads) during training. */
  cpuSeconds: number;
}

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

async function measure(dataDir: string, dataset: string, workers: number): Promise<Measured> {
  const kb = localKnowledgeBase(openStore(dataDir));
  const samples: Sample[] = [];
  try {
    const started = performance.now();
    const cpuStart = cpuSeconds();
    const report = await runTraining({
      kb,
      dataDir,
      run: 'bench',
      resume: false,
      reset: false,
      dataset,
      hierarchy: HIERARCHY,
      workers,
      katoVersion: 'bench',
      progress: () => ({ update: (p) => samples.push({ ...p, cpuSeconds: cpuSeconds() - cpuStart }), stop: () => undefined }),
    });
    const digestSeconds = (performance.now() - started) / 1000 - report.seconds;
    return { report, samples, digestSeconds, cpuSeconds: samples.at(-1)?.cpuSeconds ?? 0 };
  } finally {
    await kb.close();
  }
}

function describeRun(label: string, { report, digestSeconds, cpuSeconds: cpu }: Measured): void {
  const s = report.session;
  console.log(
    `${label}: ${count(s.docs)} docs, ${count(s.tokens)} tokens in ${duration(report.seconds)} → ` +
      `${count(report.tokensPerSecond)} tokens/s end to end (workers ${report.workers}); ` +
      `${duration(cpu)} of CPU over all threads = ${count(s.tokens / cpu)} tokens per CPU-second`,
  );
  console.log(
    `  time committing (store write path, main thread) ${duration(s.commitMs / 1000)}; ` +
      `preparing (tokenize + hierarchy + names, summed over threads) ${duration(s.prepareMs / 1000)}; ` +
      `digest + manifest afterwards ${duration(digestSeconds)}`,
  );
  console.log(`  patterns learned/distinct per level: ${report.levels.map((l) => `L${l.level} ${compact(l.learned)}/${compact(l.distinct)}`).join(', ')}`);
}

/** Rates between the commits that bracket tokens [from, to): per wall second, per CPU second, and
 * the store's commit time and the preparation time per million tokens. */
function windowRate(samples: readonly Sample[], from: number, to: number): { wall: number; cpu: number; commit: number; prepare: number } {
  const origin = { tokens: 0, elapsedMs: 0, cpuSeconds: 0, commitMs: 0, prepareMs: 0 };
  const start = [origin, ...samples].filter((s) => s.tokens <= from).at(-1)!;
  const end = samples.find((s) => s.tokens >= to) ?? samples[samples.length - 1];
  const tokens = end.tokens - start.tokens;
  return {
    wall: tokens / ((end.elapsedMs - start.elapsedMs) / 1000),
    cpu: tokens / (end.cpuSeconds - start.cpuSeconds),
    commit: (end.commitMs - start.commitMs) / (tokens / 1e6) / 1000,
    prepare: (end.prepareMs - start.prepareMs) / (tokens / 1e6) / 1000,
  };
}

/** A relative slowdown as "12.3% slower" or "4.5% faster". */
function change(slower: number): string {
  return `${(Math.abs(slower) * 100).toFixed(1)}% ${slower >= 0 ? 'slower' : 'faster'}`;
}

function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'kato-bench-train-'));
  try {
    const workers = defaultWorkers();
    console.log(`bench:train — embedded (SQLite), 4 levels of chunk 8, ${workers} preparation worker(s) by default`);
    console.log(`load average at the start: ${loadAverage()} on ${availableParallelism()} cores\n`);

    const brown = await measure(join(root, 'brown'), 'brown', workers);
    describeRun('Brown corpus (bundled, whole)', brown);
    console.log(`  target ≥ 250,000 tokens/s: ${brown.report.tokensPerSecond >= 250_000 ? 'met' : 'NOT met'}\n`);
    const inThread = await measure(join(root, 'brown-0'), 'brown', 0);
    describeRun('Brown corpus, preparation in the main thread (--workers 0)', inThread);
    console.log('');

    const corpus = join(root, 'synthetic.jsonl');
    const t0 = performance.now();
    await writeSyntheticJsonl(corpus, { seed: 42, documents: GROWTH_DOCUMENTS, vocabulary: 50_000, exponent: 1.0 });
    console.log(
      `synthetic corpus: ${count(GROWTH_DOCUMENTS)} documents, Zipf(1.0) over 50,000 words, seed 42, ` +
        `${(statSync(corpus).size / 1e6).toFixed(0)} MB, generated in ${duration((performance.now() - t0) / 1000)}`,
    );
    const growth = await measure(join(root, 'growth'), corpus, workers);
    describeRun('growth run', growth);
    const total = growth.report.session.tokens;
    const first = windowRate(growth.samples, 0, total * 0.1);
    const last = windowRate(growth.samples, total * 0.9, total);
    const level0 = growth.report.levels[0].distinct;
    console.log(`  level-0 KB at the end: ${count(level0)} distinct patterns (${level0 > 1_000_000 ? 'past' : 'NOT past'} 10^6)`);
    const detail = (w: typeof first): string =>
      `${count(w.wall)} tokens/s (${count(w.cpu)} per CPU-second; per 10^6 tokens: committing ${w.commit.toFixed(1)}s, preparing ${w.prepare.toFixed(1)}s)`;
    console.log(`  first 10% of tokens: ${detail(first)}`);
    console.log(`  last 10% of tokens:  ${detail(last)}`);
    const slower = 1 - last.wall / first.wall;
    const slowerCpu = 1 - last.cpu / first.cpu;
    console.log(
      `  last 10% vs first: ${change(slower)} in wall time, ${change(slowerCpu)} in CPU time ` +
        `(target ≤ 20% slower: ${slower <= 0.2 ? 'met' : 'NOT met'})`,
    );
    console.log(`  database: ${(statSync(join(root, 'growth', 'kato.db')).size / 1e6).toFixed(0)} MB`);
    console.log(`\nload average at the end: ${loadAverage()} on ${availableParallelism()} cores (wall-time figures count only when it is low)`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
