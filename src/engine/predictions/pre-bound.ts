/**
 * Upper bounds of the pruning key (pre-potential) and the similarity of the candidates of a cell
 * (see `candidate-selection.ts`), from the positions of the state symbols the index knows and the
 * node's pattern lengths and event sizes alone.
 */
import type { CandidateIndex } from './candidate-index.js';
import { fragmentationTerm } from './match.js';
import { tokenSimilarity } from './similarity.js';

/**
 * Per covered count c (index c), upper bounds of a candidate's pruning key and similarity, and of
 * the key of one matching exactly c positions (see `cellBounds`).
 */
export interface CellBounds {
  pre: Float64Array;
  similarity: Float64Array;
  exactly: Float64Array;
}

/**
 * Upper bounds of the pre-potential and the similarity of any candidate whose state symbols all
 * sit at the state positions `positions` (ascending), that can match at most c of them (the sum
 * over its symbols of min(times held, state positions of the symbol)) and whose longest common
 * substring with the state has at most `longest` symbols, for every c (index c of the arrays).
 * With single-symbol events and `pullsBack` false, the candidate is known not to hold the first
 * symbol of a block of two or more right before it (so its first matched symbol cannot pull a
 * past event into the present). `presentCap` bounds the symbols of its present events (as when
 * its first or last symbol is not a state symbol). `pre[c]` is −Infinity when no such candidate
 * reaches the recall threshold.
 *
 * The bounds are exact in floating point, with no margin: each is the scorer's own expression
 * (`scoreRows`) evaluated at the extreme integer values its terms can take, and every operation
 * in it is monotonic, so a candidate can reach a bound but never pass it.
 */
export function cellBounds(
  index: CandidateIndex,
  positions: readonly number[],
  stateLength: number,
  recallThreshold: number,
  longest: number,
  pullsBack = true,
  presentCap = Number.POSITIVE_INFINITY,
): CellBounds {
  const n = stateLength;
  const lmin = index.minLength;
  const lmax = index.maxLength;
  const emax = index.maxEventLength;
  const count = positions.length;
  const pre = new Float64Array(count + 1).fill(Number.NEGATIVE_INFINITY);
  const similarity = new Float64Array(count + 1);
  const exactly = new Float64Array(count + 1).fill(Number.NEGATIVE_INFINITY);
  if (index.size === 0) return { pre, similarity, exactly };
  // Blocks are common substrings: within one run of consecutive positions, `longest` at most.
  // The fewest blocks holding m matches take the largest capacities first.
  const capacities: number[] = [];
  for (let k = 0; k < count; ) {
    let run = 1;
    while (k + run < count && positions[k + run] === positions[k] + run) run++;
    k += run;
    for (let left = run; left > 0; left -= Math.min(longest, left)) capacities.push(Math.min(longest, left));
  }
  capacities.sort((x, y) => y - x);
  const bound = (m: number, blocks: number, presentMax: number) => {
    const extras = n - m;
    const snr = (2.0 * m - extras) / (2.0 * m + extras);
    const product = snr >= 0 ? (m / Math.max(m, lmin) + 1) * snr : (m / lmax + m / presentMax) * snr;
    return product + fragmentationTerm(blocks - 1);
  };
  // A block of one symbol never pulls back: the symbol before it, were it the same, would match
  // as early and be taken instead.
  const pulled = emax > 1 || pullsBack;
  const presentMost = Math.min(lmax, presentCap);
  let best = Number.NEGATIVE_INFINITY;
  let held = 0;
  let blocks = 0;
  for (let c = 1; c <= count; c++) {
    const m = c;
    let at = Number.NEGATIVE_INFINITY;
    if (m <= Math.min(lmax, presentMost)) {
      // One block: the present events hold the block, at most a partial event on each side, and
      // one event the first match pulls back from the past.
      if (capacities[0] >= m) at = bound(m, 1, Math.min(presentMost, m + 2 * (emax - 1) + (m >= 2 && pulled ? emax : 0)));
      if (m >= 2) {
        while (held < m && blocks < capacities.length) held += capacities[blocks++];
        if (held >= m) at = Math.max(at, bound(m, Math.max(2, blocks), presentMost));
      }
    }
    best = Math.max(best, at);
    // The LCS is at most the positions covered; 2·LCS/(L + n) is largest at the shortest length
    // holding them. Matches number at most c: the best bound of m ≤ c.
    const most = Math.min(c, lmax);
    similarity[c] = tokenSimilarity(most, Math.max(lmin, most), n);
    if (similarity[c] >= recallThreshold) {
      pre[c] = best;
      exactly[c] = at;
    }
  }
  return { pre, similarity, exactly };
}
