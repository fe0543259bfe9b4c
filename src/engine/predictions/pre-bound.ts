/**
 * An upper bound of the pruning key (pre-potential) of any candidate whose shared state symbols
 * sit at given state positions, from the node's pattern lengths and event sizes alone.
 */
import type { CandidateIndex } from './candidate-index.js';
import { fragmentationTerm } from './match.js';
import { tokenSimilarity } from './similarity.js';

// Bounds are compared with a margin so float rounding can never prune an eligible candidate.
const BOUND_SLACK = 1e-9;

/**
 * An upper bound of the pre-potential of any candidate whose shared state symbols all sit at the
 * state positions `positions` (ascending), or -Infinity when none can reach the recall threshold.
 */
export function preBound(index: CandidateIndex, positions: readonly number[], stateLength: number, recallThreshold: number): number {
  const b = positions.length;
  if (b === 0 || index.size === 0) return Number.NEGATIVE_INFINITY;
  const n = stateLength;
  const lmin = index.minLength;
  const lmax = index.maxLength;
  const emax = index.maxEventLength;
  const most = Math.min(b, lmax);
  if (tokenSimilarity(most, Math.max(lmin, most), n) + BOUND_SLACK < recallThreshold) return Number.NEGATIVE_INFINITY;
  // Blocks are contiguous in the state, so m matches need at least as many blocks as it takes
  // runs of consecutive eligible positions to hold them.
  const runs: number[] = [];
  for (let k = 0; k < b; k++) {
    if (k > 0 && positions[k] === positions[k - 1] + 1) runs[runs.length - 1]++;
    else runs.push(1);
  }
  runs.sort((x, y) => y - x);
  // (evidence + confidence)·snr + 1/blocks at its largest: with a positive snr, evidence and
  // confidence at their largest; with a negative one, at their smallest.
  const bound = (m: number, blocks: number, extrasMin: number, presentMax: number) => {
    const snr = (2 * m - extrasMin) / (2 * m + extrasMin);
    const product = snr >= 0 ? (m / Math.max(m, lmin) + 1) * snr : (m / lmax + m / presentMax) * snr;
    return product + fragmentationTerm(blocks - 1);
  };
  let best = Number.NEGATIVE_INFINITY;
  for (let m = 1; m <= most; m++) {
    // One block: the present region is the block itself, so the state keeps n − m extras; the
    // present events add at most a partial event on each side and one event the first match
    // pulls back from the past.
    if (runs[0] >= m) {
      best = Math.max(best, bound(m, 1, n - m, Math.min(lmax, m + 2 * (emax - 1) + (m >= 2 ? emax : 0))));
    }
    if (m >= 2) {
      let blocks = 0;
      for (let covered = 0; covered < m; blocks++) covered += runs[blocks];
      best = Math.max(best, bound(m, Math.max(2, blocks), n - b, lmax));
    }
  }
  return best + BOUND_SLACK;
}
