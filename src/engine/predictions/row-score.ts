/**
 * The pruning scores of a candidate from its signature alone — per pattern position, the mask of
 * state positions holding the same symbol — computed as `matchPattern` does, without strings.
 */
import type { FilterPipeline } from './filters.js';
import { fragmentationTerm } from './match.js';
import { tokenSimilarity } from './similarity.js';

/** Pass/fail, pre-potential and similarity of one signature. */
export interface RowScore {
  passes: boolean;
  pre: number;
  similarity: number;
}

/** The state and settings a signature is scored under (token matching, no fuzzy matching). */
export interface RowScoring {
  stateLength: number;
  recallThreshold: number;
  pipeline: FilterPipeline;
}

const FAIL: RowScore = { passes: false, pre: 0, similarity: 0 };

// Reusable buffers: state masks fit 31 positions, so rows are short.
let runPrev = new Int32Array(32);
let runBits = new Int32Array(64);
let runKeep = new Int32Array(64);
let runCur = new Int32Array(32);
let lcsPrev = new Int32Array(33);
let lcsCur = new Int32Array(33);

// The LCS length of rows[from..to) against the state: bit-parallel (Crochemore et al., 2001)
// while the state fits 30 bits, row by row of the dynamic programme otherwise.
function lcs(rows: Int32Array, from: number, to: number, n: number): number {
  if (n <= 30) {
    const full = (1 << n) - 1;
    let v = full;
    for (let i = from; i < to; i++) {
      const u = v & rows[i];
      v = ((v + u) | (v - u)) & full;
    }
    let ones = 0;
    for (let x = v; x !== 0; x &= x - 1) ones++;
    return n - ones;
  }
  if (lcsPrev.length < n + 1) {
    lcsPrev = new Int32Array(n + 1);
    lcsCur = new Int32Array(n + 1);
  }
  lcsPrev.fill(0, 0, n + 1);
  lcsCur[0] = 0;
  for (let i = from; i < to; i++) {
    const mask = rows[i];
    for (let j = 0; j < n; j++) {
      lcsCur[j + 1] = (mask >>> j) & 1 ? lcsPrev[j] + 1 : lcsCur[j] > lcsPrev[j + 1] ? lcsCur[j] : lcsPrev[j + 1];
    }
    const t = lcsPrev;
    lcsPrev = lcsCur;
    lcsCur = t;
  }
  return lcsPrev[n];
}

// difflib's find_longest_match over rows[alo..ahi) × state[blo..bhi) (see sequence-matcher.ts).
function longest(rows: Int32Array, alo: number, ahi: number, blo: number, bhi: number, out: Int32Array): void {
  if (bhi <= 31) {
    // By run length, bit-parallel: runs[i] holds the state positions j where a match of length k
    // ends at (i, j). difflib keeps the first longest match in order of its end (i, then j).
    const range = ((1 << bhi) - 1) & ~((1 << blo) - 1);
    if (runBits.length < ahi) runBits = new Int32Array(2 * ahi);
    let any = 0;
    for (let i = alo; i < ahi; i++) any |= runBits[i] = rows[i] & range;
    if (any === 0) {
      out[0] = alo;
      out[1] = blo;
      out[2] = 0;
      return;
    }
    let k = 1;
    for (;;) {
      // Longer by one: a match ending at (i − 1, j − 1) continued at (i, j), from the end back.
      let longer = 0;
      for (let i = ahi - 1; i > alo; i--) longer |= runBits[i] = rows[i] & range & (runBits[i - 1] << 1);
      if (longer === 0) break;
      runBits[alo] = 0;
      k++;
      if (runKeep.length < ahi) runKeep = new Int32Array(2 * ahi);
      runKeep.set(runBits.subarray(alo, ahi), alo);
    }
    // `runBits` now holds the runs of length k + 1 (none); the last level is in runKeep for k ≥ 2.
    const level = k === 1 ? null : runKeep;
    for (let i = alo; i < ahi; i++) {
      const ends = level === null ? rows[i] & range : level[i];
      if (ends !== 0) {
        const j = 31 - Math.clz32(ends & -ends);
        out[0] = i - k + 1;
        out[1] = j - k + 1;
        out[2] = k;
        return;
      }
    }
  }
  let bestI = alo;
  let bestJ = blo;
  let bestSize = 0;
  if (runPrev.length < bhi) {
    runPrev = new Int32Array(bhi);
    runCur = new Int32Array(bhi);
  }
  runPrev.fill(0, blo, bhi);
  for (let i = alo; i < ahi; i++) {
    runCur.fill(0, blo, bhi);
    const mask = rows[i];
    for (let j = blo; j < bhi; j++) {
      if (((mask >>> j) & 1) === 0) continue;
      const k = (j > blo ? runPrev[j - 1] : 0) + 1;
      runCur[j] = k;
      if (k > bestSize) {
        bestI = i - k + 1;
        bestJ = j - k + 1;
        bestSize = k;
      }
    }
    const t = runPrev;
    runPrev = runCur;
    runCur = t;
  }
  out[0] = bestI;
  out[1] = bestJ;
  out[2] = bestSize;
}

// Scratch of `matchingBlocks`: the pending ranges (4 ints each) and the blocks found (3 each).
// Blocks are disjoint in both sequences, so there are at most 32 of them and 33 pending ranges.
const pending = new Int32Array(4 * 34);
const found = new Int32Array(3 * 33);
const best = new Int32Array(3);

// Matching blocks of rows[from..to) (positions relative to `from`), merged and in order; returns
// their number, with [i, j, size] triples in `blocks`.
function matchingBlocks(rows: Int32Array, from: number, to: number, n: number, blocks: Int32Array): number {
  let count = 0;
  let top = 0;
  pending[0] = from;
  pending[1] = to;
  pending[2] = 0;
  pending[3] = n;
  top = 4;
  while (top > 0) {
    top -= 4;
    const alo = pending[top];
    const ahi = pending[top + 1];
    const blo = pending[top + 2];
    const bhi = pending[top + 3];
    longest(rows, alo, ahi, blo, bhi, best);
    const i = best[0];
    const j = best[1];
    const k = best[2];
    if (k > 0) {
      // Insertion in (i, j) order: the blocks are few.
      let at = count++;
      const ri = i - from;
      while (at > 0 && (found[3 * at - 3] > ri || (found[3 * at - 3] === ri && found[3 * at - 2] > j))) {
        found[3 * at] = found[3 * at - 3];
        found[3 * at + 1] = found[3 * at - 2];
        found[3 * at + 2] = found[3 * at - 1];
        at--;
      }
      found[3 * at] = ri;
      found[3 * at + 1] = j;
      found[3 * at + 2] = k;
      if (alo < i && blo < j) {
        pending[top] = alo;
        pending[top + 1] = i;
        pending[top + 2] = blo;
        pending[top + 3] = j;
        top += 4;
      }
      if (i + k < ahi && j + k < bhi) {
        pending[top] = i + k;
        pending[top + 1] = ahi;
        pending[top + 2] = j + k;
        pending[top + 3] = bhi;
        top += 4;
      }
    }
  }
  let merged = 0;
  for (let t = 0; t < count; t++) {
    const i = found[3 * t];
    const j = found[3 * t + 1];
    const k = found[3 * t + 2];
    const last = 3 * merged - 3;
    if (last >= 0 && blocks[last] + blocks[last + 2] === i && blocks[last + 1] + blocks[last + 2] === j) blocks[last + 2] += k;
    else {
      blocks[3 * merged] = i;
      blocks[3 * merged + 1] = j;
      blocks[3 * merged + 2] = k;
      merged++;
    }
  }
  return merged;
}

const firstBlocks = new Int32Array(3 * 33);
const secondBlocks = new Int32Array(3 * 33);

/**
 * Scores a signature: `rows` (one state-position mask per flat pattern position), the pattern's
 * event lengths and number of distinct symbols.
 */
export function scoreRows(rows: Int32Array, length: number, eventLengths: readonly number[], distinct: number, scoring: RowScoring): RowScore {
  const n = scoring.stateLength;
  const similarity = tokenSimilarity(lcs(rows, 0, length, n), length, n);
  if (!(similarity >= scoring.recallThreshold)) return FAIL;
  const blocks = matchingBlocks(rows, 0, length, n, firstBlocks);
  if (!scoring.pipeline.passAll) {
    const shared = new Set<number>();
    for (let p = 0; p < length; p++) if (rows[p] !== 0) shared.add(rows[p]);
    if (!scoring.pipeline.keeps({ length, distinct, shared: shared.size, similarity, blocks })) return FAIL;
  }
  if (blocks === 0) return FAIL;

  let m = 0;
  for (let b = 0; b < blocks; b++) m += firstBlocks[3 * b + 2];
  const start = firstBlocks[0];
  const lastEnd = firstBlocks[3 * (blocks - 1)] + firstBlocks[3 * (blocks - 1) + 2];
  const end = blocks === 1 ? start + firstBlocks[2] : lastEnd > start ? lastEnd : length;
  const second = matchingBlocks(rows, start, end, n, secondBlocks);
  let covered = 0;
  for (let b = 0; b < second; b++) covered += secondBlocks[3 * b + 2];
  const extras = n - covered;

  // Segmentation: past and present rounded up to event boundaries; the first matched state
  // symbol pulls the last past event into present.
  let c = 0;
  let e = 0;
  while (c < start) c += eventLengths[e++];
  const pastEvents = e;
  const presentStart = e;
  while (c < end) c += eventLengths[e++];
  let presentLength = 0;
  for (let k = presentStart; k < e; k++) presentLength += eventLengths[k];
  if (pastEvents > 0) {
    const firstState = 1 << firstBlocks[1];
    let from = 0;
    for (let k = 0; k < pastEvents - 1; k++) from += eventLengths[k];
    const to = from + eventLengths[pastEvents - 1];
    for (let p = from; p < to; p++) {
      if ((rows[p] & firstState) !== 0) {
        presentLength += to - from;
        break;
      }
    }
  }
  const evidence = length > 0 ? m / length : 0.0;
  const confidence = presentLength > 0 ? m / presentLength : 0.0;
  const snrDenominator = 2.0 * m + extras;
  const snr = snrDenominator > 0 ? (2.0 * m - extras) / snrDenominator : 0.0;
  return { passes: true, pre: (evidence + confidence) * snr + fragmentationTerm(blocks - 1), similarity };
}
