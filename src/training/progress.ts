/**
 * Training progress for people: a live bar on a terminal, plain periodic lines otherwise (logs,
 * pipes, CI), both on stderr; rates and ETA come from a rolling window of committed batches.
 */
import cliProgress from 'cli-progress';
import { compact, count, duration } from './format.js';
import { rollingRate } from './rate.js';
import type { TrainProgress } from './trainer.js';

/** How progress is shown. */
export type ProgressMode = 'bar' | 'lines' | 'none';

/** Shows a session's progress. */
export interface ProgressView {
  update(progress: TrainProgress): void;
  stop(): void;
}

/** What a progress view shows besides the session's counters. */
export interface ProgressViewOptions {
  readonly mode: ProgressMode;
  readonly stream: NodeJS.WritableStream;
  readonly run: string;
  /** Documents the run will have at the end, when known (for the bar, percentage and ETA). */
  readonly totalDocs?: number;
  /** Minimum milliseconds between two plain lines (10 s by default). */
  readonly intervalMs?: number;
}

/** One line of learns per level: `L0 164k L1 20.5k L2 2.6k L3 312`. */
function levelsText(learned: readonly number[]): string {
  return learned.map((n, level) => `L${level} ${compact(n)}`).join(' ');
}

/** A progress view of the chosen mode. */
export function progressView(options: ProgressViewOptions): ProgressView {
  const window = rollingRate();
  window.add(0, 0, 0);
  const eta = (progress: TrainProgress, docsPerSecond: number): string => {
    if (options.totalDocs === undefined || docsPerSecond <= 0) return '?';
    return duration(Math.max(0, options.totalDocs - progress.position) / docsPerSecond);
  };

  if (options.mode === 'none') return { update: () => undefined, stop: () => undefined };

  if (options.mode === 'bar') {
    const known = options.totalDocs !== undefined;
    const bar = new cliProgress.SingleBar({
      stream: options.stream,
      format: known
        ? `${options.run} {bar} {percentage}% | {value}/{total} docs | {rate} tok/s | {levels} | ETA {eta}`
        : `${options.run} {value} docs | {tokens} tokens | {rate} tok/s | {levels} | {elapsed}`,
      hideCursor: true,
      barsize: 24,
      fps: 4,
    });
    bar.start(options.totalDocs ?? 0, 0, { rate: '0', levels: '', eta: '?', tokens: '0', elapsed: '0s' });
    return {
      update(progress) {
        window.add(progress.elapsedMs, progress.docs, progress.tokens);
        const { docsPerSecond, tokensPerSecond } = window.rates();
        bar.update(progress.position, {
          rate: compact(tokensPerSecond),
          levels: levelsText(progress.learned),
          eta: eta(progress, docsPerSecond),
          tokens: compact(progress.tokens),
          elapsed: duration(progress.elapsedMs / 1000),
        });
      },
      stop: () => bar.stop(),
    };
  }

  const interval = options.intervalMs ?? 10_000;
  let lastLine = 0;
  let latest: TrainProgress | undefined;
  const print = (progress: TrainProgress): void => {
    const { docsPerSecond, tokensPerSecond } = window.rates();
    const of = options.totalDocs === undefined ? '' : `/${count(options.totalDocs)}`;
    options.stream.write(
      `kato train [${options.run}] ${duration(progress.elapsedMs / 1000)}: run at document ${count(progress.position)}${of}, ` +
        `${count(progress.docs)} docs and ${compact(progress.tokens)} tokens this session, ${compact(tokensPerSecond)} tokens/s, ` +
        `learned ${levelsText(progress.learned)}, ETA ${eta(progress, docsPerSecond)}\n`,
    );
    lastLine = progress.elapsedMs;
  };
  return {
    update(progress) {
      window.add(progress.elapsedMs, progress.docs, progress.tokens);
      latest = progress;
      if (progress.elapsedMs - lastLine >= interval) print(progress);
    },
    stop() {
      if (latest && latest.elapsedMs !== lastLine) print(latest);
    },
  };
}
