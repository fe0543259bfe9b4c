/**
 * Recall similarities (server spec §8.3.2) and the token ratio of fuzzy matching (§8.6), with the
 * reference's floating-point steps kept so values agree to the last bit.
 */

/** Length of the longest common subsequence of two sequences. */
export function lcsLength<T>(a: readonly T[], b: readonly T[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  let prev = new Int32Array(b.length + 1);
  let cur = new Int32Array(b.length + 1);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    for (let j = 0; j < b.length; j++) {
      cur[j + 1] = x === b[j] ? prev[j] + 1 : cur[j] > prev[j + 1] ? cur[j] : prev[j + 1];
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/**
 * Token-mode similarity `2·LCS/(|P|+|S|)`, through the reference's 0–100 score and back
 * (`score/100`), which is what makes 2/3 come out as 0.6666666666666665.
 */
export function tokenSimilarity(lcs: number, patternLength: number, stateLength: number): number {
  const total = patternLength + stateLength;
  const score = total > 0 ? ((2.0 * lcs) / total) * 100.0 : 0.0;
  return score / 100.0;
}

/**
 * RapidFuzz `fuzz.ratio` (0–100) over code points: `(1 − indel/lensum)·100`, 100 for two
 * empty strings. Indel distance = lensum − 2·LCS.
 */
export function fuzzRatio(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  const lensum = x.length + y.length;
  if (lensum === 0) return 100;
  const distance = lensum - 2 * lcsLength(x, y);
  return (1.0 - distance / lensum) * 100;
}

/** Character-mode similarity: `fuzz.ratio` of the space-joined token lists, divided by 100. */
export function characterSimilarity(pattern: readonly string[], state: readonly string[]): number {
  return fuzzRatio(pattern.join(' '), state.join(' ')) / 100.0;
}

/** Fuzzy token similarity in [0, 1]: 1.0 for equal tokens, else `fuzz.ratio/100`. */
export function tokenRatio(observed: string, expected: string): number {
  if (observed === expected) return 1.0;
  return fuzzRatio(observed, expected) / 100.0;
}
