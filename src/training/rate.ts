/**
 * Throughput over a rolling window of recent samples, so rates and ETAs follow the current speed
 * (including the slowdown of a growing KB) rather than the average since the start.
 */

interface Sample {
  readonly ms: number;
  readonly docs: number;
  readonly tokens: number;
}

/** Rates over the last `windowMs` of samples. */
export interface RollingRate {
  /** Records cumulative counts at time `ms`. */
  add(ms: number, docs: number, tokens: number): void;
  /** Documents and tokens per second over the window (0 until two samples span some time). */
  rates(): { docsPerSecond: number; tokensPerSecond: number };
}

/** A rolling rate over `windowMs` milliseconds (30 s by default). */
export function rollingRate(windowMs = 30_000): RollingRate {
  const samples: Sample[] = [];
  return {
    add(ms, docs, tokens) {
      samples.push({ ms, docs, tokens });
      // Keep one sample older than the window so the window is always fully covered.
      while (samples.length > 2 && samples[1].ms <= ms - windowMs) samples.shift();
    },
    rates() {
      if (samples.length < 2) return { docsPerSecond: 0, tokensPerSecond: 0 };
      const first = samples[0];
      const last = samples[samples.length - 1];
      const seconds = (last.ms - first.ms) / 1000;
      if (seconds <= 0) return { docsPerSecond: 0, tokensPerSecond: 0 };
      return { docsPerSecond: (last.docs - first.docs) / seconds, tokensPerSecond: (last.tokens - first.tokens) / seconds };
    },
  };
}
