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
let runCur = new Int32Array(32);
let lcsPrev = new Int32Array(33);
let lcsCur = new Int32Array(33);

function lcs(rows: Int32Array, from: number, to: number, n: number): number {
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

// Matching blocks of rows[from..to) (positions relative to `from`), merged and in order; returns
// their number, with [i, j, size] triples in `blocks`.
function matchingBlocks(rows: Int32Array, from: number, to: number, n: number, blocks: number[]): number {
  blocks.length = 0;
  const found: number[] = [];
  const queue: number[] = [from, to, 0, n];
  const m = new Int32Array(3);
  while (queue.length > 0) {
    const bhi = queue.pop()!;
    const blo = queue.pop()!;
    const ahi = queue.pop()!;
    const alo = queue.pop()!;
    longest(rows, alo, ahi, blo, bhi, m);
    const [i, j, k] = m;
    if (k > 0) {
      found.push(i - from, j, k);
      if (alo < i && blo < j) queue.push(alo, i, blo, j);
      if (i + k < ahi && j + k < bhi) queue.push(i + k, ahi, j + k, bhi);
    }
  }
  const order = Array.from({ length: found.length / 3 }, (_, t) => t).sort(
    (x, y) => found[3 * x] - found[3 * y] || found[3 * x + 1] - found[3 * y + 1] || found[3 * x + 2] - found[3 * y + 2],
  );
  for (const t of order) {
    const [i, j, k] = [found[3 * t], found[3 * t + 1], found[3 * t + 2]];
    const last = blocks.length - 3;
    if (last >= 0 && blocks[last] + blocks[last + 2] === i && blocks[last + 1] + blocks[last + 2] === j) blocks[last + 2] += k;
    else blocks.push(i, j, k);
  }
  return blocks.length / 3;
}

const firstBlocks: number[] = [];
const secondBlocks: number[] = [];

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
