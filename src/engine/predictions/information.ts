/**
 * Information measures of KATO's metrics module: entropies (log base 2 and base N as ln x/ln N),
 * tf-idf and confluence, with the reference's operation order.
 */
import { compareCodePoints } from '../symbols.js';

/** `-(p·log(p, 2))`, 0 for p ≤ 0. */
export function classicExpectation(p: number): number {
  return p > 0 ? -(p * (Math.log(p) / Math.log(2))) : 0;
}

/** `-p·log(p, N)`, 0 unless p > 0 and N > 1. */
export function expectation(p: number, n: number): number {
  return p > 0 && n > 1 ? -p * (Math.log(p) / Math.log(n)) : 0;
}

/** Occurrence counts in first-appearance order (Python's Counter order). */
export function counts(symbols: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of symbols) out.set(s, (out.get(s) ?? 0) + 1);
  return out;
}

/** Shannon entropy (bits) of the symbol distribution of a list. */
export function entropy(symbols: readonly string[]): number {
  let sum = 0;
  for (const c of counts(symbols).values()) sum += classicExpectation(c / symbols.length);
  return sum;
}

/** Entropy of a list in base N (the node's number of distinct symbols); 0 when N ≤ 1. */
export function normalizedEntropy(symbols: readonly string[], n: number): number {
  let sum = 0;
  for (const c of counts(symbols).values()) sum += expectation(c / symbols.length, n);
  return sum;
}

/**
 * `−Σ P(s)·log_N P(s)` over the distinct symbols of a list that have a probability; the set is
 * summed in code-point order so the float is the same in every process.
 */
export function globalNormalizedEntropy(symbols: readonly string[], probability: (s: string) => number | undefined, n: number): number {
  let sum = 0;
  for (const s of [...new Set(symbols)].sort(compareCodePoints)) {
    const p = probability(s);
    if (p !== undefined && p > 0) sum += expectation(p, n);
  }
  return sum;
}

/**
 * Mean tf·idf over `tf` (symbol → term frequency, in its order): `idf = log2(U/n) + 1` with
 * `n = int(P·U)` (1 when the symbol has no probability or the product truncates to 0).
 */
export function tfidfScore(tf: ReadonlyMap<string, number>, probability: (s: string) => number | undefined, totalUniquePatterns: number): number {
  if (tf.size === 0 || totalUniquePatterns === 0) return 0.0;
  let sum = 0;
  for (const [s, frequency] of tf) {
    const p = probability(s);
    let n = p === undefined ? 1 : Math.trunc(p * totalUniquePatterns);
    if (n === 0) n = 1;
    sum += frequency * (Math.log2(totalUniquePatterns / n) + 1);
  }
  return sum / tf.size;
}

/**
 * Probability of the present symbols occurring together by chance, `10 ** Σ log10 P'(x)` with
 * `P'(x) = P(x)` when positive, else 1e-10.
 */
export function chanceProbability(symbols: readonly string[], probability: (s: string) => number | undefined): number {
  if (symbols.length === 0) return 0;
  let logSum = 0;
  for (const s of symbols) {
    const p = probability(s) ?? 1e-10;
    logSum += Math.log10(p > 0 ? p : 1e-10);
  }
  return 10 ** logSum;
}
