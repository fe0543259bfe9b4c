/**
 * Exact selection of the pruned candidate set of §8.8 from a candidate index — the best
 * 3·max_predictions by (pre desc, similarity desc, name asc) — without scoring every candidate.
 *
 * Candidates are sorted into cells by features read 32 slots at a time: how many state positions
 * they can match (a bit-sliced count over the state symbols' posting lists), whether they hold a
 * state bigram and how long a common substring with the state and whether their first block can
 * pull an event back (from the holders of each state bigram), and, for the many holding no state
 * bigram, whether their first and last symbols are state symbols. Each cell has exact upper bounds
 * of its candidates' scores (`pre-bound.ts`); cells are read best bound first, and a cell whose
 * bound cannot beat the kept candidates is not read at all. A cell whose bound only ties them is
 * read in name order (slots are numbered by name) up to the last tied candidate that can still be
 * kept. The few candidates of the best cells are bucketed; the many of the others read word by
 * word, which the edge usually cuts short.
 */
import {
  bitset,
  compareNames,
  endsOf,
  grown,
  pairBits,
  pairHolders,
  pairPulls,
  repeatsOf,
  slotName,
  startsOf,
  type CandidateIndex,
  type PairHolders,
} from './candidate-index.js';
import type { MatchContext } from './match.js';
import { cellBounds } from './pre-bound.js';
import { scoreRows } from './row-score.js';
import { ScoreMemo, type Signature } from './score-memo.js';

// Row masks are 32-bit: longer states take the generic path.
export const MAX_INDEXED_STATE = 30;

/** True when the indexed selection computes the same pruned set as scoring every candidate. */
export function indexSupports(ctx: MatchContext): boolean {
  return ctx.tokenMode && ctx.fuzzyThreshold === 0 && ctx.recallThreshold > 0 && ctx.state.length <= MAX_INDEXED_STATE;
}

/** What a selection found: the names of the kept candidates (unordered). */
export interface CandidateSelection {
  names: string[];
  /** The index slots of the kept candidates, parallel to `names`. */
  slots: number[];
  /** Diagnostics: slots whose signature was read, and distinct signatures seen. */
  visited: number;
  groups: number;
}

// Scores are a pure function of the signature, the state's length and equality structure and
// the settings, so they are remembered across queries (see ScoreMemo), for up to this many
// structures.
const MAX_STRUCTURES = 10_000;

function mix(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return hash ^ (hash >>> 16);
}

/**
 * The candidates the ensemble keeps for this state: every candidate passing the filters and the
 * recall threshold when there are at most `limit`, else the `limit` best by (pre desc, similarity
 * desc, name asc). Returns null when the session's settings need the generic path.
 */
export function selectCandidates(index: CandidateIndex, ctx: MatchContext, limit: number): CandidateSelection | null {
  if (!indexSupports(ctx)) return null;
  const n = ctx.state.length;
  const stateIds: number[] = [];
  const firstPosition = new Map<string, number>();
  const partition: number[] = [];
  for (let j = 0; j < n; j++) {
    const symbol = ctx.state[j];
    if (!firstPosition.has(symbol)) firstPosition.set(symbol, j);
    partition.push(firstPosition.get(symbol)!);
    const id = index.symbolIds.get(symbol);
    if (id === undefined) continue;
    if (index.stateMask[id] === 0) stateIds.push(id);
    index.stateMask[id] |= 1 << j;
  }
  // Which state positions hold equal symbols, and the settings, decide how a signature scores.
  const structureKey = `${ctx.settingsKey}|${partition.join(',')}`;
  let structure = index.structures.get(structureKey);
  if (structure === undefined) {
    // Remembered scores are keyed by structure number: forget both together when they pile up.
    if (index.structures.size >= MAX_STRUCTURES) {
      index.structures.clear();
      index.scores.clear();
    }
    index.structures.set(structureKey, (structure = index.structures.size));
  }
  try {
    return selectWithMasks(index, ctx, limit, stateIds, structure);
  } finally {
    for (const id of stateIds) index.stateMask[id] = 0;
  }
}

const scratch = new WeakMap<CandidateIndex, Groups>();

// Scored candidates are read in batches of this many (see `visit`).
const QUEUE = 32;
const queued = new Int32Array(QUEUE);
const queuedStarts = new Int32Array(QUEUE);
const queuedEnds = new Int32Array(QUEUE);
let queuedCount = 0;
// What the batched reads loaded ahead, combined and kept, so that the loads are not left out.
let loads = 0;

/** Per-query groups of candidates with one signature (hence equal scores), in flat typed arrays. */
class Groups {
  count = 0;
  shape = new Int32Array(1024);
  distinct = new Int32Array(1024);
  rowsStart = new Int32Array(1024);
  rowsLength = new Int32Array(1024);
  hash = new Int32Array(1024);
  members = new Int32Array(1024);
  passes = new Uint8Array(1024);
  pre = new Float64Array(1024);
  similarity = new Float64Array(1024);
  rows = new Int32Array(8192);
  rowsUsed = 0;
  table = new Int32Array(4096).fill(-1);
  /** The table slot the last unsuccessful `find` stopped at. */
  free = 0;
  /** The kept candidates: slot and group of each. */
  entrySlots = new Int32Array(1024);
  entryGroups = new Int32Array(1024);
  /** Scratch of the edge computation: groups by rank, and slots tied with the edge. */
  ranked = new Int32Array(1024);
  tied = new Int32Array(1024);
  /** Scratch of the cells: the bit planes of the covered counts and the common-substring levels, per word. */
  planes: Int32Array[] = [];
  levels: Int32Array[] = [];
  /** Scratch of the cells read word by word, per word (see `readClasses`). */
  classes: Int32Array[] = [];
  /** Scratch of the cells: words holding a candidate covering four positions or more, and those candidates by cell. */
  highWords = new Int32Array(1024);
  bucketSlots = new Int32Array(1024);
  bucketCells = new Int32Array(1024);
  sortedSlots = new Int32Array(1024);

  /** Empties the groups for a new query, keeping the buffers. */
  reset(): void {
    this.count = 0;
    this.rowsUsed = 0;
    this.table.fill(-1);
  }

  /** `count` word arrays of `words` words, zeroed, from `pool`. */
  static zeroed(pool: Int32Array[], count: number, words: number): Int32Array[] {
    for (let k = 0; k < count; k++) {
      if (k === pool.length || pool[k].length < words) pool[k] = new Int32Array(Math.max(words, 2 * (pool[k]?.length ?? 0)));
      else pool[k].fill(0, 0, words);
    }
    return pool;
  }

  /** The group with the signature `rows[from .. from+length)`, or -1 (leaving `free` at its table slot). */
  find(shape: number, distinct: number, hash: number, rows: Int32Array, from: number, length: number): number {
    const mask = this.table.length - 1;
    for (let t = hash & mask; ; t = (t + 1) & mask) {
      const g = this.table[t];
      if (g === -1) {
        this.free = t;
        return -1;
      }
      if (this.hash[g] !== hash || this.shape[g] !== shape || this.distinct[g] !== distinct || this.rowsLength[g] !== length) continue;
      const start = this.rowsStart[g];
      let p = 0;
      while (p < length && this.rows[start + p] === rows[from + p]) p++;
      if (p === length) return g;
    }
  }

  /** Adds a group right after an unsuccessful `find` for its signature. */
  add(shape: number, distinct: number, hash: number, rows: Int32Array, from: number, length: number, memo: ScoreMemo, entry: number): number {
    const g = this.count++;
    if (g === this.shape.length) {
      const size = g * 2;
      this.shape = grown(this.shape, size);
      this.distinct = grown(this.distinct, size);
      this.rowsStart = grown(this.rowsStart, size);
      this.rowsLength = grown(this.rowsLength, size);
      this.hash = grown(this.hash, size);
      this.members = grown(this.members, size);
      this.passes = grown(this.passes, size);
      this.pre = grown(this.pre, size);
      this.similarity = grown(this.similarity, size);
    }
    this.rows = grown(this.rows, this.rowsUsed + length);
    for (let p = 0; p < length; p++) this.rows[this.rowsUsed + p] = rows[from + p];
    this.shape[g] = shape;
    this.distinct[g] = distinct;
    this.rowsStart[g] = this.rowsUsed;
    this.rowsLength[g] = length;
    this.rowsUsed += length;
    this.hash[g] = hash;
    this.members[g] = 0;
    this.passes[g] = memo.passes[entry];
    this.pre[g] = memo.pre[entry];
    this.similarity[g] = memo.similarity[entry];
    this.table[this.free] = g;
    if (this.count * 2 > this.table.length) {
      this.table = new Int32Array(this.table.length * 2).fill(-1);
      const mask = this.table.length - 1;
      for (let k = 0; k < this.count; k++) {
        let t = this.hash[k] & mask;
        while (this.table[t] !== -1) t = (t + 1) & mask;
        this.table[t] = k;
      }
    }
    return g;
  }
}

/**
 * Whether a candidate covering three state positions, holding the state bigram (a, b) (`same`
 * when a = b), the state holding a and b `inStateA` and `inStateB` times and the candidate
 * `heldA` and `heldB` times, might have an LCS of three while its alignment matches two: the
 * bigram, as its one block. The third position covered then crosses the block (it lies on one
 * side of it in the pattern, on the other in the state), so an LCS of three cannot pair the
 * block's own occurrences with it: for a ≠ b, both a and b need another occurrence, in the
 * pattern or in the state; for a = b, the two a's of the LCS need two occurrences outside the
 * block between them.
 */
export function mayOutrun(same: boolean, inStateA: number, inStateB: number, heldA: number, heldB: number): boolean {
  if (same) return heldA + inStateA >= 6;
  return (heldA >= 2 || inStateA >= 2) && (heldB >= 2 || inStateB >= 2);
}

/**
 * Marks the holders of the state's bigrams, a bit per slot in `levels` (see `selectWithMasks`):
 * levels[2] every holder; levels[k] (k ≥ 3) those holding k symbols or more in a row of the
 * state; levels[0] those whose first block might pull back; levels[1] those that may outrun
 * (`mayOutrun`), among the holders covering three positions or more by the covered-count
 * planes (`planes[0..4]`, the ones to the sixteens). `idAt` holds the state's symbol ids, −1
 * where no pattern holds the symbol. A holder covering fewer positions may be marked as well.
 *
 * A pull-back is a state substring matched from pattern position q, with the substring's first
 * symbol a also at q − 1 and the match from q − 1 shorter. Of a bigram (a, b) with a ≠ b, that
 * is a, a, b in a row in the pattern: the match from q − 1 stops after a. With a = b it needs no
 * marking of its own: where the match from q − 1 first fails, at offset j ≥ 2, the pattern holds
 * u, u, v (u = the state's symbol at s + j − 1, v ≠ u the next) — the pull-back of the bigram
 * (u, v), marked already.
 */
export function markBigramHolders(index: CandidateIndex, idAt: Int32Array, planes: readonly Int32Array[], levels: Int32Array[], words: number): void {
  const n = idAt.length;
  const [p0, p1, p2, p3, p4] = planes;
  const [pulls, outrun, grams] = levels;
  const { tokens, tokenStart } = index;
  const inState = (id: number) => {
    let count = 0;
    for (let j = 0; j < n; j++) if (idAt[j] === id) count++;
    return count;
  };
  const denseMinimum = Math.max(index.bitsetMinimum, words >>> 1);
  // The same marks for the holders of a pair with many, word by word from their bitset: every
  // holder holds the bigram; those that may outrun are told by the repeats of a and b; the
  // longer common substrings are found among the holders of both (a, b) and (b, c) for each
  // state trigram (a, b, c), and the pull-backs among the holders of a, a, b in a row.
  const markHolders = (pair: PairHolders, starts: readonly number[]): void => {
    const { a, b } = pair;
    const held = pairBits(index, pair);
    const end = Math.min(words, held.length);
    const inStateA = inState(a);
    let needA: Uint32Array | null = null;
    let needB: Uint32Array | null = null;
    if (a === b) {
      // Holders of (a, a) hold a twice: `mayOutrun` asks for 6 − inStateA.
      if (6 - inStateA > 2) needA = repeatsOf(index, a, 6 - inStateA);
    } else {
      if (inStateA < 2) needA = repeatsOf(index, a, 2);
      if (inState(b) < 2) needB = repeatsOf(index, b, 2);
    }
    for (let w = 0; w < end; w++) {
      const bits = held[w];
      if (bits === 0) continue;
      grams[w] |= bits;
      let may = bits;
      if (needA !== null) may &= w < needA.length ? needA[w] : 0;
      if (needB !== null) may &= w < needB.length ? needB[w] : 0;
      outrun[w] |= may;
    }
    // Common substrings of three or more, per third symbol c: among the holders of (a, b) and (b, c).
    const thirds: number[] = [];
    for (const s of starts) if (s + 2 < n && idAt[s + 2] >= 0 && !thirds.includes(idAt[s + 2])) thirds.push(idAt[s + 2]);
    for (const c of thirds) {
      const from = starts.filter((s) => s + 2 < n && idAt[s + 2] === c);
      const mark = (slot: number): void => {
        let longest = 2;
        for (let q = tokenStart[slot], stop = tokenStart[slot + 1]; q + 2 < stop; q++) {
          if (tokens[q] !== a || tokens[q + 1] !== b || tokens[q + 2] !== c) continue;
          for (const s of from) {
            let t = 3;
            while (s + t < n && q + t < stop && tokens[q + t] === idAt[s + t]) t++;
            if (t > longest) longest = t;
          }
        }
        for (let k = 3; k <= longest; k++) levels[k][slot >>> 5] |= 1 << (slot & 31);
      };
      const next = pairHolders(index, b, c);
      if (a === b) {
        // The holders of a, a, c in a row are kept with the pair (a, c).
        const { slots: held3, count: held3Count } = pairPulls(index, next);
        for (let i = 0; i < held3Count; i++) mark(held3[i]);
      } else if (next.count >= index.pairBitsMinimum) {
        const other = pairBits(index, next);
        for (let w = 0, both = Math.min(end, other.length); w < both; w++) {
          for (let x = held[w] & other[w]; x !== 0; x &= x - 1) mark((w << 5) | (31 - Math.clz32(x & -x)));
        }
      } else {
        for (let i = 0, at = 0, data = next.data; i < next.count; i++, at += data[at + 1] + 4) {
          const slot = data[at];
          if (slot >>> 5 < end && (held[slot >>> 5] & (1 << (slot & 31))) !== 0) mark(slot);
        }
      }
    }
    // Pull-backs: the holders of a, a, b in a row, for a ≠ b.
    if (a !== b) {
      const { slots: pulled, count: pulledCount } = pairPulls(index, pair);
      for (let i = 0; i < pulledCount; i++) pulls[pulled[i] >>> 5] |= 1 << (pulled[i] & 31);
    }
  };
  {
    const pairsRead = new Set<number>();
    for (let j = 0; j + 1 < n; j++) {
      const a = idAt[j];
      const b = idAt[j + 1];
      if (a < 0 || b < 0) continue;
      // Each pair once, extended from every state position it starts at.
      const key = a * 0x4000000 + b;
      if (pairsRead.has(key)) continue;
      pairsRead.add(key);
      const starts: number[] = [];
      for (let s = j; s + 1 < n; s++) if (idAt[s] === a && idAt[s + 1] === b) starts.push(s);
      const pair = pairHolders(index, a, b);
      if (pair.count >= index.pairBitsMinimum) {
        markHolders(pair, starts);
        continue;
      }
      // Only a pattern holding a before an occurrence of (a, b) — a twice — can pull back
      // there; a pattern covering two positions holds no longer substring. The others hold the
      // bigram and nothing longer, without pulling back.
      const twice = index.postingLengths[a] >= denseMinimum && a !== b ? repeatsOf(index, a, 2) : null;
      const inStateA = inState(a);
      const inStateB = inState(b);
      const { data, count } = pair;
      for (let i = 0, at = 0; i < count; i++) {
        const slot = data[at];
        const length = data[at + 1];
        const from = at + 3;
        at = from + length + 1;
        const word = slot >>> 5;
        const bit = 1 << (slot & 31);
        grams[word] |= bit;
        const coversThree = ((p0[word] & p1[word]) | p2[word] | p3[word] | p4[word]) & bit;
        if (coversThree === 0 && (a === b || (twice !== null && (word >= twice.length || (twice[word] & bit) === 0)))) continue;
        // Whether the LCS could exceed the matches while the bigram is the one block (see
        // `mayOutrun`): counted here, for the holders covering three positions.
        let heldA = 0;
        let heldB = 0;
        for (let p = from, end = from + length; p < end; p++) {
          if (data[p] === a) heldA++;
          if (data[p] === b) heldB++;
        }
        if (mayOutrun(a === b, inStateA, inStateB, heldA, heldB)) outrun[word] |= bit;
        let longest = 2;
        for (let q = 0; q + 1 < length; q++) {
          if (data[from + q] !== a || data[from + q + 1] !== b) continue;
          for (const s of starts) {
            let t = 2;
            while (s + t < n && q + t < length && data[from + q + t] === idAt[s + t]) t++;
            if (t > longest) longest = t;
          }
          if (a !== b && q > 0 && data[from + q - 1] === a) pulls[word] |= bit;
        }
        for (let k = 3; k <= longest; k++) levels[k][word] |= bit;
      }
    }
  }
}

function popcount(x: number): number {
  let count = 0;
  for (let v = x >>> 0; v !== 0; v &= v - 1) count++;
  return count;
}

// Bit planes of the covered count: counts up to 31 (states hold at most 30 symbols).
const PLANES = 5;

/**
 * The cells (keys) whose candidates have these bounds: each scores at most one of the (pre,
 * similarity) points; `pre` and `similarity` are the best of them.
 */
interface Tier {
  pre: number;
  similarity: number;
  points: number[];
  cells: number[];
}

function selectWithMasks(index: CandidateIndex, ctx: MatchContext, limit: number, stateIds: number[], structure: number): CandidateSelection {
  const n = ctx.state.length;
  const words = (index.size >>> 5) + 1;
  // The buffers are reused from query to query (one query runs at a time: selection is synchronous).
  const groups = scratch.get(index) ?? new Groups();
  scratch.set(index, groups);
  groups.reset();
  let entrySlots = groups.entrySlots;
  let entryGroups = groups.entryGroups;
  let entries = 0;
  let visited = 0;
  const rows = new Int32Array(Math.max(1, index.maxLength));
  // The (pre, similarity) of the `limit`-th best candidate kept so far; candidates strictly
  // below it can never be kept, since it only rises.
  let edgePre = Number.NEGATIVE_INFINITY;
  let edgeSimilarity = Number.NEGATIVE_INFINITY;
  const sortedSlots = index.sortedCount;
  // Slots above it (in the name-ordered slots), tied with the edge, are never kept: enough tied
  // candidates are named before them (see `raiseEdge`).
  let tieBound = Number.POSITIVE_INFINITY;

  // With single-symbol events, pattern positions before the first and after the last state
  // symbol only count through the length, so a signature is (length, distinct, the rows between
  // them); otherwise (shape, distinct, all rows). `span` holds [from, to, kind] of the last one read.
  const trim = index.maxEventLength === 1;
  const scoring = { stateLength: n, recallThreshold: ctx.recallThreshold, pipeline: ctx.pipeline };
  const span = new Int32Array(3);
  const memo = index.scores;
  const signature: Signature = { structure, shape: 0, distinct: 0, rows, from: 0, width: 0 };
  // The memo entry of the signature in `span` (read by the caller from memo.pre etc.).
  const score = (slot: number, distinct: number, length: number, hash: number): number => {
    signature.from = span[0];
    signature.width = span[1] - span[0];
    signature.shape = span[2];
    signature.distinct = distinct;
    const key = mix(hash ^ Math.imul(structure + 1, 0x27d4eb2d));
    const known = memo.find(key, signature);
    if (known !== -1) return known;
    return memo.add(key, signature, scoreRows(rows, length, index.shapes[index.shapeOf[slot]], distinct, scoring));
  };

  // The group of the signature now in `rows[0 .. length)` (for a slot of that length).
  const { tokenStart, tokens, stateMask, distinctOf, shapeOf } = index;
  // Only the filter pipeline reads a pattern's distinct count: without one it is left out of signatures.
  const usesDistinct = !ctx.pipeline.passAll;
  const groupOfRows = (slot: number, length: number, distinctCount: number): number => {
    const distinct = usesDistinct ? distinctCount : 0;
    let from = 0;
    let to = length;
    let kind: number;
    if (trim) {
      while (from < to && rows[from] === 0) from++;
      while (to > from && rows[to - 1] === 0) to--;
      kind = -1 - length;
    } else {
      kind = shapeOf[slot];
    }
    let hash = Math.imul(kind, 0x165667b1) ^ Math.imul(distinct + 1, 0xc2b2ae35);
    for (let p = from; p < to; p++) hash = Math.imul(hash ^ rows[p], 0x01000193) ^ (p - from);
    hash = mix(hash);
    span[0] = from;
    span[1] = to;
    span[2] = kind;
    const g = groups.find(kind, distinct, hash, rows, from, to - from);
    return g !== -1 ? g : groups.add(kind, distinct, hash, rows, from, to - from, memo, score(slot, distinct, length, hash));
  };
  // Scores a slot: reads its rows (the state positions holding each pattern symbol), finds its
  // group and keeps it when it can be kept. Slots are scored in batches: first each one's bounds
  // and first token are read (independent loads, which the processor overlaps, where one at a time
  // would wait for each), then each is scored from the cache. `flush` scores the batch: call it
  // before reading the edge the batch may raise.
  const visit = (slot: number): void => {
    queued[queuedCount++] = slot;
    if (queuedCount === QUEUE) flush();
  };
  const flush = (): void => {
    let touched = 0;
    for (let k = 0; k < queuedCount; k++) {
      const slot = queued[k];
      const start = tokenStart[slot];
      queuedStarts[k] = start;
      queuedEnds[k] = tokenStart[slot + 1];
      touched ^= tokens[start];
    }
    loads ^= touched;
    visited += queuedCount;
    for (let k = 0; k < queuedCount; k++) {
      const slot = queued[k];
      const start = queuedStarts[k];
      const length = queuedEnds[k] - start;
      for (let p = 0; p < length; p++) rows[p] = stateMask[tokens[start + p]];
      keep(slot, groupOfRows(slot, length, distinctOf[slot]));
    }
    queuedCount = 0;
  };

  // The edge is raised each time this many candidates were kept since it last was: often enough
  // that passing over ties starts soon, seldom enough that raising it costs little per candidate.
  const raiseEvery = Math.max(32, limit >> 2);
  let raiseAt = limit;
  const keep = (slot: number, g: number): void => {
    if (groups.passes[g] === 0) return;
    const pre = groups.pre[g];
    if (pre < edgePre) return;
    if (pre === edgePre) {
      const similarity = groups.similarity[g];
      if (similarity < edgeSimilarity || (similarity === edgeSimilarity && slot > tieBound && slot < sortedSlots)) return;
    }
    groups.members[g]++;
    if (entries === entrySlots.length) {
      groups.entrySlots = entrySlots = grown(entrySlots, entries + 1);
      groups.entryGroups = entryGroups = grown(entryGroups, entries + 1);
    }
    entrySlots[entries] = slot;
    entryGroups[entries] = g;
    entries++;
    if (entries >= raiseAt) raiseEdge();
  };

  // Moves the edge up to the `limit`-th best kept candidate, when there are that many, and drops
  // the kept candidates that can no longer be kept: those below the edge, and those tied with it
  // named after `need` tied candidates in the name-ordered slots (`need` being what the better
  // ones leave of the limit). The edge only rises and `need` only falls, so they stay dropped.
  let raisedAt = -1;
  const raiseEdge = (): void => {
    if (entries < limit || entries === raisedAt) return;
    const { pre, similarity, members } = groups;
    if (groups.ranked.length < groups.count) groups.ranked = new Int32Array(groups.shape.length);
    const ranked = groups.ranked;
    let count = 0;
    for (let g = 0; g < groups.count; g++) if (members[g] > 0) ranked[count++] = g;
    // The comparator returns small integers: no float result to allocate per comparison.
    ranked.subarray(0, count).sort((a, b) =>
      pre[b] > pre[a] ? 1 : pre[b] < pre[a] ? -1 : similarity[b] > similarity[a] ? 1 : similarity[b] < similarity[a] ? -1 : 0,
    );
    let taken = 0;
    let r = 0;
    while (r < count && (taken += members[ranked[r]]) < limit) r++;
    const edge = ranked[r];
    if (pre[edge] !== edgePre || similarity[edge] !== edgeSimilarity) tieBound = Number.POSITIVE_INFINITY;
    edgePre = pre[edge];
    edgeSimilarity = similarity[edge];
    let better = 0;
    for (let q = 0; q < r && (pre[ranked[q]] !== edgePre || similarity[ranked[q]] !== edgeSimilarity); q++) better += members[ranked[q]];
    const need = limit - better;
    if (groups.tied.length < entries) groups.tied = new Int32Array(entrySlots.length);
    const tied = groups.tied;
    let ties = 0;
    for (let e = 0; e < entries; e++) {
      const g = entryGroups[e];
      if (entrySlots[e] < sortedSlots && pre[g] === edgePre && similarity[g] === edgeSimilarity) tied[ties++] = entrySlots[e];
    }
    if (ties >= need) tieBound = Math.min(tieBound, nthSmallest(tied, ties, need - 1));
    let kept = 0;
    for (let e = 0; e < entries; e++) {
      const g = entryGroups[e];
      const slot = entrySlots[e];
      const stays =
        pre[g] > edgePre ||
        (pre[g] === edgePre && (similarity[g] > edgeSimilarity || (similarity[g] === edgeSimilarity && (slot <= tieBound || slot >= sortedSlots))));
      if (stays) {
        entrySlots[kept] = slot;
        entryGroups[kept] = g;
        kept++;
      } else {
        members[g]--;
      }
    }
    entries = kept;
    raiseAt = entries + raiseEvery;
    raisedAt = entries;
  };

  // Every candidate holds a state symbol the index knows: the positions of those symbols bound
  // what any candidate can match.
  const idAt = new Int32Array(n).fill(-1);
  const positions: number[] = [];
  for (let j = 0; j < n; j++) {
    const id = index.symbolIds.get(ctx.state[j]);
    if (id !== undefined && index.postingLengths[id] > 0) {
      idAt[j] = id;
      positions.push(j);
    }
  }
  if (positions.length > 0) {
    // How many state positions a candidate can match: per symbol, the fewer of its state
    // positions and the times the pattern holds it, summed into bit planes (p0 the ones, p1 the
    // twos, …), a bit per slot. A long posting list is added word by word from bitsets (one per
    // symbol and times held), kept from query to query; a short one entry by entry. Lists
    // shorter than half the words are short: their entries are fewer than the words, and the
    // bitsets kept are those of the node's commonest symbols, always the same.
    const denseMinimum = Math.max(index.bitsetMinimum, words >>> 1);
    const isDense = (id: number) => index.postingLengths[id] >= denseMinimum;
    const dense: Uint32Array[] = [];
    const sparse: number[] = [];
    for (const id of stateIds) {
      if (!isDense(id)) {
        sparse.push(id);
        continue;
      }
      dense.push(bitset(index, id));
      for (let times = 2, most = popcount(stateMask[id]); times <= most; times++) dense.push(repeatsOf(index, id, times));
    }
    const planes = Groups.zeroed(groups.planes, PLANES + 2, words);
    const [p0, p1, p2, p3, p4, startWords, endWords] = planes;
    if (dense.length > 0) {
      for (let w = 0; w < words; w++) {
        let c0 = 0;
        let c1 = 0;
        let c2 = 0;
        let c3 = 0;
        let c4 = 0;
        // Without branches: whether a carry stops is a coin toss for the dense symbols.
        for (let k = 0; k < dense.length; k++) {
          const bits = dense[k];
          const x = w < bits.length ? bits[w] : 0;
          const t0 = c0 & x;
          c0 ^= x;
          const t1 = c1 & t0;
          c1 ^= t0;
          const t2 = c2 & t1;
          c2 ^= t1;
          const t3 = c3 & t2;
          c3 ^= t2;
          c4 ^= t3;
        }
        p0[w] = c0;
        p1[w] = c1;
        p2[w] = c2;
        p3[w] = c3;
        p4[w] = c4;
      }
    }
    for (const id of sparse) {
      const list = index.postings[id];
      const occurrences = index.occurrences[id];
      const most = popcount(stateMask[id]);
      for (let i = 0, used = index.postingLengths[id]; i < used; i++) {
        const slot = list[i];
        const w = slot >>> 5;
        const bit = 1 << (slot & 31);
        for (let times = Math.min(occurrences[i], most); times > 0; times--) {
          let carry = bit;
          for (let plane = 0; plane < PLANES && carry !== 0; plane++) {
            const p = planes[plane];
            const t = p[w] & carry;
            p[w] ^= carry;
            carry = t;
          }
        }
      }
    }

    // The longest common substring a candidate can have with the state: levels[k] marks those
    // holding one of k symbols or more (k ≥ 2), found from the holders of each state bigram by
    // extending each occurrence along the state. Pair keys are exact while symbol ids stay
    // below 2^26; beyond, every candidate is taken to reach the longest run.
    let longestRun = 0;
    for (let j = 0, run = 0; j < n; j++) longestRun = Math.max(longestRun, (run = idAt[j] >= 0 ? run + 1 : 0));
    const exactLevels = index.symbols.length <= 0x4000000;
    const levelCount = exactLevels && longestRun >= 2 ? longestRun + 1 : 0;
    // levels[0] marks, among them, those whose first block might pull back (see `cellBounds`):
    // holding, right before an occurrence of a state substring of two or more, that
    // substring's first symbol, and there a shorter match with the state.
    const levels = Groups.zeroed(groups.levels, levelCount, words);
    const pulls = levels[0];
    // levels[1] marks the holders covering three positions whose LCS might exceed their matches
    // when those are the two of one of their state bigrams (see `mayOutrun`).
    const outrun = levels[1];
    const grams = levelCount > 0 ? levels[2] : null;
    if (grams !== null) markBigramHolders(index, idAt, planes, levels, words);

    // The cells, keyed by covered count, level (1: no state bigram held, or unknown), pull and
    // ends, with their bounds. Candidates holding no state bigram and covering three positions
    // or fewer — the many — are told apart by their ends too (with single-symbol events): how
    // many of their first and last symbols are state symbols, which bounds their present.
    // The last field, `ends`, is 3 for the bigram holders covering three positions, without pull,
    // whose LCS cannot outrun their matches (see `outrun`).
    const cellKey = (covered: number, longest: number, pull: number, ends: number) => ((covered * 32 + longest) * 2 + pull) * 4 + ends;
    // Per cell, its bounds as (pre, similarity) points: each candidate is below one of them.
    const bounds = new Map<number, number[]>();
    const mostCovered = Math.min(positions.length, 31);
    for (let longest = 1; longest <= Math.max(1, levelCount - 1); longest++) {
      for (let pull = 0; pull <= (longest > 1 ? 1 : 0); pull++) {
        for (let ends = trim && longest === 1 ? 0 : 2; ends <= 2; ends++) {
          const { pre, similarity, exactly: pre3 } = cellBounds(
            index,
            positions,
            n,
            ctx.recallThreshold,
            levelCount > 0 ? longest : longestRun,
            levelCount === 0 || pull === 1,
            index.maxLength - (2 - ends),
          );
          for (let covered = Math.max(1, longest); covered <= mostCovered; covered++) {
            // Ends tell apart only the cells without a state bigram covering three or fewer.
            if (ends !== 2 && covered > 3) continue;
            if (pre[covered] === Number.NEGATIVE_INFINITY) continue;
            bounds.set(cellKey(covered, longest, pull, ends), [pre[covered], similarity[covered]]);
            if (covered === 3 && longest === 2 && pull === 0 && levelCount > 0) {
              // Matching three, they score as a cell of three; matching two (the block), their
              // LCS is two.
              const points = [];
              if (pre3[covered] !== Number.NEGATIVE_INFINITY) points.push(pre3[covered], similarity[covered]);
              if (pre[covered - 1] !== Number.NEGATIVE_INFINITY) points.push(pre[covered - 1], similarity[covered - 1]);
              if (points.length > 0) bounds.set(cellKey(covered, longest, pull, 3), points);
            }
          }
        }
      }
    }
    // Tiers: the cells of equal bounds, read together, best first.
    const tiers: Tier[] = [];
    const tierOf = new Map<string, Tier>();
    for (const [key, points] of bounds) {
      const id = points.join('/');
      let tier = tierOf.get(id);
      if (!tier) {
        let pre = Number.NEGATIVE_INFINITY;
        let similarity = Number.NEGATIVE_INFINITY;
        for (let k = 0; k < points.length; k += 2) {
          if (points[k] > pre || (points[k] === pre && points[k + 1] > similarity)) {
            pre = points[k];
            similarity = points[k + 1];
          }
        }
        tiers.push((tier = { pre, similarity, points, cells: [] }));
        tierOf.set(id, tier);
      }
      tier.cells.push(key);
    }
    tiers.sort((x, y) => y.pre - x.pre || y.similarity - x.similarity);
    const tierNumber = new Int32Array(32 * 32 * 2 * 4).fill(-1);
    for (const [t, tier] of tiers.entries()) for (const key of tier.cells) tierNumber[key] = t;

    // Found word by word: the cells without a state bigram covering three positions or fewer,
    // and those of the candidates covering two positions with a state bigram that do not pull
    // back. The others are few, and bucketed by tier, in slot order.
    let bucketSlots = groups.bucketSlots;
    let bucketTiers = groups.bucketCells;
    let bucketed = 0;
    for (let w = 0; w < words; w++) {
      let x = p2[w] | p3[w] | p4[w];
      if (grams !== null) x |= grams[w] & p1[w] & (p0[w] | pulls[w]);
      while (x !== 0) {
        const low = x & -x;
        x ^= low;
        const b = 31 - Math.clz32(low);
        const covered = ((p0[w] >>> b) & 1) | (((p1[w] >>> b) & 1) << 1) | (((p2[w] >>> b) & 1) << 2) | (((p3[w] >>> b) & 1) << 3) | (((p4[w] >>> b) & 1) << 4);
        let longest = 1;
        while (longest + 1 < levelCount && (levels[longest + 1][w] & low) !== 0) longest++;
        const pull = longest > 1 && (pulls[w] & low) !== 0 ? 1 : 0;
        const safe = covered === 3 && longest === 2 && pull === 0 && (outrun[w] & low) === 0;
        const t = tierNumber[cellKey(covered, longest, pull, safe ? 3 : 2)];
        if (t === -1) continue;
        if (bucketed === bucketSlots.length) {
          groups.bucketSlots = bucketSlots = grown(bucketSlots, bucketed + 1);
          groups.bucketCells = bucketTiers = grown(bucketTiers, bucketed + 1);
        }
        bucketSlots[bucketed] = (w << 5) | b;
        bucketTiers[bucketed] = t;
        bucketed++;
      }
    }
    // A stable counting sort by tier keeps each tier's slots in order.
    const bucketStarts = new Int32Array(tiers.length + 1);
    for (let k = 0; k < bucketed; k++) bucketStarts[bucketTiers[k] + 1]++;
    for (let t = 0; t < tiers.length; t++) bucketStarts[t + 1] += bucketStarts[t];
    if (groups.sortedSlots.length < bucketed) groups.sortedSlots = new Int32Array(bucketSlots.length);
    const bySlot = groups.sortedSlots;
    const fill = bucketStarts.slice(0, tiers.length);
    for (let k = 0; k < bucketed; k++) bySlot[fill[bucketTiers[k]]++] = bucketSlots[k];

    // Per tier, what its word-by-word cells are: `pairs` for the bigram holders covering two
    // positions that do not pull back, and (covered, ends taken: bit e for ends e) for each
    // covered count of the cells without a state bigram.
    const scans = tiers.map((tier) => {
      let pairs = false;
      const ends = new Map<number, number>();
      for (const key of tier.cells) {
        const covered = Math.floor(key / 256);
        const longest = Math.floor(key / 8) % 32;
        if (covered === 2 && longest === 2 && Math.floor(key / 4) % 2 === 0) pairs = true;
        else if (covered <= 3 && longest === 1) ends.set(covered, (ends.get(covered) ?? 0) | (1 << key % 4));
      }
      return { pairs, singles: [...ends].flat() };
    });
    // With single-symbol events: whether a candidate's first (last) symbol is a state symbol,
    // read when a tier first needs it.
    let endsRead = false;
    const readEnds = () => {
      endsRead = true;
      const firsts: Uint32Array[] = [];
      const lasts: Uint32Array[] = [];
      for (const id of stateIds) {
        if (isDense(id)) {
          firsts.push(startsOf(index, id));
          lasts.push(endsOf(index, id));
        }
      }
      for (let w = 0; w < words; w++) {
        let first = 0;
        let last = 0;
        for (let k = 0; k < firsts.length; k++) {
          if (w < firsts[k].length) first |= firsts[k][w];
          if (w < lasts[k].length) last |= lasts[k][w];
        }
        startWords[w] = first;
        endWords[w] = last;
      }
      const { lengthOf } = index;
      for (const id of sparse) {
        const list = index.postings[id];
        const first = index.firstPositions[id];
        const last = index.lastPositions[id];
        for (let i = 0, used = index.postingLengths[id]; i < used; i++) {
          const slot = list[i];
          const bit = 1 << (slot & 31);
          if (first[i] === 1) startWords[slot >>> 5] |= bit;
          // Positions and lengths past 254 are noted as 255: then read the token.
          const length = lengthOf[slot];
          if (length < 255 ? last[i] === length : tokens[tokenStart[slot + 1] - 1] === id) endWords[slot >>> 5] |= bit;
        }
      }
    };
    // The word-by-word cells' candidates, per word, when a tier first reads them: those without a
    // state bigram covering 1, 2 and 3 positions, and the bigram holders covering two that do not
    // pull back.
    let classes: Int32Array[] | null = null;
    const readClasses = (): Int32Array[] => {
      const [one, two, three, pairTwo] = Groups.zeroed(groups.classes, 4, words);
      for (let w = 0; w < words; w++) {
        const low = ~(p2[w] | p3[w] | p4[w]);
        const a = p0[w];
        const b = p1[w];
        const held = grams !== null ? grams[w] : 0;
        const plain = low & ~held;
        one[w] = plain & a & ~b;
        two[w] = plain & ~a & b;
        three[w] = plain & a & b;
        pairTwo[w] = held === 0 ? 0 : low & ~a & b & held & ~pulls[w];
      }
      return (classes = [one, two, three, pairTwo]);
    };
    // The candidates in word w of the cells (class, ends taken: bit e for ends e) of a tier.
    const scanWord = (w: number, cells: readonly Int32Array[], ends: readonly number[]): number => {
      let x = 0;
      for (let k = 0; k < cells.length; k++) {
        let y = cells[k][w];
        // With events of several symbols every candidate has ends 2 (and takes all).
        const taken = ends[k];
        if (taken !== 7 && y !== 0) {
          const s = startWords[w];
          const e = endWords[w];
          y &= (taken & 1 ? ~(s | e) : 0) | (taken & 2 ? s ^ e : 0) | (taken & 4 ? s & e : 0);
        }
        x |= y;
      }
      return x;
    };
    // Whether a tier's candidates can still be kept: 0 none, 1 only those tied with the edge,
    // 2 any.
    const prospects = (tier: Tier): number => {
      let best = 0;
      const { points } = tier;
      for (let k = 0; k < points.length && best < 2; k += 2) {
        const pre = points[k];
        const similarity = points[k + 1];
        if (pre > edgePre || (pre === edgePre && similarity > edgeSimilarity)) best = 2;
        else if (pre === edgePre && similarity === edgeSimilarity) best = 1;
      }
      return best;
    };
    const firstUnsortedWord = sortedSlots >>> 5;
    for (const [t, tier] of tiers.entries()) {
      raiseEdge();
      let prospect = prospects(tier);
      if (prospect === 0) {
        if (tier.pre < edgePre) break;
        continue;
      }
      // A tier that can only tie skips the tied candidates named too late (after `tieBound`).
      for (let k = bucketStarts[t]; k < bucketStarts[t + 1] && prospect !== 0; k++) {
        const slot = bySlot[k];
        if (prospect === 1 && slot > tieBound && slot < sortedSlots) continue;
        visit(slot);
        if (queuedCount === 0) prospect = prospects(tier);
      }
      flush();
      prospect = prospects(tier);
      const { pairs, singles } = scans[t];
      if (!pairs && singles.length === 0) continue;
      if (trim && !endsRead && singles.some((ends, k) => k % 2 === 1 && ends !== 7)) readEnds();
      const [one, two, three, pairTwo] = classes ?? readClasses();
      const cells: Int32Array[] = [];
      const ends: number[] = [];
      if (pairs) {
        cells.push(pairTwo);
        ends.push(7);
      }
      for (let k = 0; k < singles.length; k += 2) {
        cells.push(singles[k] === 1 ? one : singles[k] === 2 ? two : three);
        ends.push(trim ? singles[k + 1] : 7);
      }
      for (let w = 0; w < words && prospect !== 0; w++) {
        if (prospect === 1 && w << 5 > tieBound && w < firstUnsortedWord) w = firstUnsortedWord;
        let x = scanWord(w, cells, ends);
        while (x !== 0) {
          const low = x & -x;
          x ^= low;
          const slot = (w << 5) | (31 - Math.clz32(low));
          if (prospect === 1 && slot > tieBound && slot < sortedSlots) continue;
          visit(slot);
          if (queuedCount === 0) prospect = prospects(tier);
        }
      }
      flush();
    }
  }

  const names: string[] = [];
  const slots: number[] = [];
  if (entries <= limit) {
    for (let e = 0; e < entries; e++) {
      names.push(slotName(index, entrySlots[e]));
      slots.push(entrySlots[e]);
    }
    return { names, slots, visited, groups: groups.count };
  }
  raiseEdge();
  const better = (g: number) => groups.pre[g] > edgePre || (groups.pre[g] === edgePre && groups.similarity[g] > edgeSimilarity);
  let kept = 0;
  for (let g = 0; g < groups.count; g++) if (better(g)) kept += groups.members[g];
  const need = limit - kept;
  // The `need` smallest names among the tied candidates: a max-heap of entries in name order.
  const heap: number[] = [];
  const above = (a: number, b: number) => compareNames(index, entrySlots[a], entrySlots[b]) > 0;
  for (let e = 0; e < entries; e++) {
    const g = entryGroups[e];
    if (better(g)) {
      names.push(slotName(index, entrySlots[e]));
      slots.push(entrySlots[e]);
    } else if (groups.pre[g] === edgePre && groups.similarity[g] === edgeSimilarity && need > 0) {
      if (heap.length < need) {
        heap.push(e);
        for (let i = heap.length - 1; i > 0; ) {
          const parent = (i - 1) >> 1;
          if (!above(heap[i], heap[parent])) break;
          [heap[i], heap[parent]] = [heap[parent], heap[i]];
          i = parent;
        }
      } else if (above(heap[0], e)) {
        heap[0] = e;
        for (let i = 0; ; ) {
          const l = 2 * i + 1;
          const r = l + 1;
          let top = i;
          if (l < heap.length && above(heap[l], heap[top])) top = l;
          if (r < heap.length && above(heap[r], heap[top])) top = r;
          if (top === i) break;
          [heap[i], heap[top]] = [heap[top], heap[i]];
          i = top;
        }
      }
    }
  }
  for (const e of heap) {
    names.push(slotName(index, entrySlots[e]));
    slots.push(entrySlots[e]);
  }
  return { names, slots, visited, groups: groups.count };
}

// The k-th smallest (0-based) of values[0 .. count), by quickselect (reorders them).
function nthSmallest(values: Int32Array, count: number, k: number): number {
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k];
  }
  return values[k];
}
