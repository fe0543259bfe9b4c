/**
 * Seeded sampling over the ranking metric: a softmax with temperature over the top-k of a pool,
 * drawn with a seeded PRNG so the same seed always generates the same text.
 */
import { seededRandom } from '../engine/random.js';
import { ValidationError } from '../errors.js';
import type { SamplingOptions } from './types.js';

/** A draw from [0, 1). */
export type Random = () => number;

/** The PRNG of a sampling run. */
export function samplingRandom(options: SamplingOptions): Random {
  return seededRandom(options.seed);
}

/** Softmax weights of `scores` at `temperature`, shifted by the maximum so none overflows. */
export function softmax(scores: readonly number[], temperature: number): number[] {
  if (!(temperature > 0)) throw new ValidationError(`temperature must be greater than 0; got ${temperature}`, { field: 'temperature', value: temperature });
  const top = Math.max(...scores);
  const weights = scores.map((s) => Math.exp((s - top) / temperature));
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / sum);
}

/**
 * The index drawn from `scores` (best first): only the first `topK` take part, each with its
 * softmax weight at `temperature`.
 */
export function sampleIndex(scores: readonly number[], options: SamplingOptions, random: Random): number {
  const pool = scores.slice(0, options.topK ?? scores.length);
  const weights = softmax(pool, options.temperature);
  let x = random();
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i];
    if (x < 0) return i;
  }
  // Rounding can leave x a hair above 0 after the last weight.
  return weights.length - 1;
}
