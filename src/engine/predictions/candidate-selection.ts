/**
 * Exact selection of the pruned candidate set of §8.8 from a candidate index — the best
 * 3·max_predictions by (pre desc, similarity desc, name asc) — without scoring every candidate.
 */
import {
  bitset,
  compareNames,
  grown,
  pairHolders,
  repeatsOf,
  slotName,
  type CandidateIndex,
} from './candidate-index.js';
import type { MatchContext } from './match.js';
import { preBound, preBoundsByMatches } from './pre-bound.js';
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
// What batched reads loaded ahead, combined and kept, so that the loads are not left out.
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
  entryKeys = new Float64Array(1024);
  /** Scratch of the edge computation: groups by rank. */
  ranked = new Int32Array(1024);
  /** Scratch of the tie bound: slots of the candidates tied with the edge. */
  tied = new Int32Array(1024);

  /** Empties the groups for a new query, keeping the buffers. */
  reset(): void {
    this.count = 0;
    this.rowsUsed = 0;
    this.table.fill(-1);
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

// The number of set bits of a 32-bit word.
function bitCount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

function popcount(x: number): number {
  let count = 0;
  for (let v = x >>> 0; v !== 0; v &= v - 1) count++;
  return count;
}

function selectWithMasks(index: CandidateIndex, ctx: MatchContext, limit: number, stateIds: number[], structure: number): CandidateSelection {
  const n = ctx.state.length;
  const seen = index.seen;
  seen.fill(0, 0, (index.size >>> 5) + 1);
  // Short posting lists first: once only long lists remain, a bound may show that their
  // remaining candidates cannot reach the kept set.
  stateIds.sort((a, b) => index.postingLengths[a] - index.postingLengths[b] || a - b);
  // The buffers are reused from query to query (one query runs at a time: selection is synchronous).
  const groups = scratch.get(index) ?? new Groups();
  scratch.set(index, groups);
  groups.reset();
  let entrySlots = groups.entrySlots;
  let entryGroups = groups.entryGroups;
  let entryKeys = groups.entryKeys;
  let entries = 0;
  let visited = 0;
  const rows = new Int32Array(Math.max(1, index.maxLength));
  // The (pre, similarity) of the `limit`-th best candidate kept so far; candidates strictly
  // below it can never be kept, since it only rises.
  let edgePre = Number.NEGATIVE_INFINITY;
  let edgeSimilarity = Number.NEGATIVE_INFINITY;
  const sortedSlots = index.sortedCount;
  // Slots above it, tied with the edge, are passed over (see `boundTies`).
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
  const { tokenStart, tokens, stateMask, distinctOf, shapeOf, lengthOf } = index;
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
  // Reads the slot's rows (the state positions holding each pattern symbol) and returns its group.
  const signatureGroup = (slot: number): number => {
    visited++;
    const start = tokenStart[slot];
    const length = tokenStart[slot + 1] - start;
    for (let p = 0; p < length; p++) rows[p] = stateMask[tokens[start + p]];
    return groupOfRows(slot, length, distinctOf[slot]);
  };

  // `key` is the slot's name key when the caller holds it (NaN: read it when needed).
  const keep = (slot: number, g: number, key = Number.NaN) => {
    if (groups.passes[g] === 0) return;
    const pre = groups.pre[g];
    if (pre < edgePre || (pre === edgePre && groups.similarity[g] < edgeSimilarity)) return;
    // Tied with the edge and named after enough tied candidates already kept (in the name-ordered
    // slots): never among the kept.
    if (slot > tieBound && slot < sortedSlots && pre === edgePre && groups.similarity[g] === edgeSimilarity) return;
    groups.members[g]++;
    if (entries === entrySlots.length) {
      groups.entrySlots = entrySlots = grown(entrySlots, entries + 1);
      groups.entryGroups = entryGroups = grown(entryGroups, entries + 1);
      groups.entryKeys = entryKeys = grown(entryKeys, entries + 1);
    }
    entrySlots[entries] = slot;
    entryGroups[entries] = g;
    entryKeys[entries] = key;
    entries++;
  };

  // Moves the edge up to the `limit`-th best kept candidate, when there are that many.
  const raiseEdge = () => {
    if (entries < limit) return;
    let count = 0;
    if (groups.ranked.length < groups.count) groups.ranked = new Int32Array(groups.shape.length);
    const ranked = groups.ranked;
    for (let g = 0; g < groups.count; g++) if (groups.members[g] > 0) ranked[count++] = g;
    // The comparator returns small integers: no float result to allocate per comparison.
    const { pre, similarity } = groups;
    ranked.subarray(0, count).sort((a, b) =>
      pre[b] > pre[a] ? 1 : pre[b] < pre[a] ? -1 : similarity[b] > similarity[a] ? 1 : similarity[b] < similarity[a] ? -1 : 0,
    );
    let taken = 0;
    let better = 0;
    for (let r = 0; r < count; r++) {
      const g = ranked[r];
      taken += groups.members[g];
      if (taken >= limit) {
        if (pre[g] !== edgePre || similarity[g] !== edgeSimilarity) {
          // A new edge: the bound of the former one's ties says nothing of this one's.
          tieBound = Number.POSITIVE_INFINITY;
          boundAt = -1;
        }
        edgePre = pre[g];
        edgeSimilarity = similarity[g];
        // The members of the groups ranked above the edge's tie are kept whatever their names.
        for (let q = 0; q < r && (pre[ranked[q]] !== edgePre || similarity[ranked[q]] !== edgeSimilarity); q++) better += groups.members[ranked[q]];
        boundTies(limit - better);
        return;
      }
    }
  };
  // The slot after which a candidate tied with the edge cannot be kept: that of the `need`-th
  // smallest tied candidate kept so far, when there are that many in the name-ordered slots (the
  // edge only rises and `need` only falls, so the bound stays valid).
  let boundAt = -1;
  const boundTies = (need: number) => {
    if (entries === boundAt) return;
    boundAt = entries;
    const sorted = index.sortedCount;
    if (groups.tied.length < entries) groups.tied = new Int32Array(entrySlots.length);
    const tied = groups.tied;
    let count = 0;
    for (let e = 0; e < entries; e++) {
      const g = entryGroups[e];
      if (entrySlots[e] < sorted && groups.pre[g] === edgePre && groups.similarity[g] === edgeSimilarity) tied[count++] = entrySlots[e];
    }
    if (count < need) return;
    const ordered = tied.subarray(0, count).sort();
    tieBound = Math.min(tieBound, ordered[need - 1]);
  };

  const statePositions = (ids: readonly number[]): number[] => {
    const positions: number[] = [];
    for (let j = 0; j < n; j++) {
      const id = index.symbolIds.get(ctx.state[j]);
      if (id !== undefined && ids.includes(id)) positions.push(j);
    }
    return positions;
  };
  const visit = (slot: number) => keep(slot, signatureGroup(slot));
  // Whether the holders of every state bigram are read before the covering passes (pair keys are
  // exact while symbol ids stay below 2^26): then the candidates left match in blocks of one.
  const bigramsRead = index.symbols.length <= 0x4000000;
  const words = (index.size >>> 5) + 1;
  const shortIds = stateIds.filter((id) => index.postingLengths[id] < index.bitsetMinimum);
  const longIds = stateIds.filter((id) => index.postingLengths[id] >= index.bitsetMinimum);

  // Short posting lists: every candidate holding one of their symbols is scored.
  let done = false;
  for (let k = 0; k < shortIds.length; k++) {
    raiseEdge();
    if (preBound(index, statePositions(stateIds.slice(k)), n, ctx.recallThreshold) < edgePre) {
      done = true;
      break;
    }
    const list = index.postings[shortIds[k]];
    for (let i = 0, used = index.postingLengths[shortIds[k]]; i < used; i++) {
      const slot = list[i];
      const word = slot >>> 5;
      const bit = 1 << (slot & 31);
      if ((seen[word] & bit) !== 0) continue;
      seen[word] |= bit;
      visit(slot);
    }
  }

  // The candidates left hold long-list symbols only. Those holding a state bigram (two adjacent
  // state symbols, adjacent in the flattened pattern) are scored first: they alone can match in
  // a block longer than one symbol.
  const visitBigram = (a: number, b: number) => {
    const { data, keys, count } = pairHolders(index, a, b);
    // With single-symbol events, a pattern whose only state symbols are this pair, once each,
    // has the signature (length, distinct, the pair's two rows): one group per such class.
    const classGroups = new Map<number, number>();
    for (let i = 0, at = 0; i < count; i++) {
      const slot = data[at];
      const length = data[at + 1];
      const distinct = data[at + 2];
      const from = at + 3;
      at = from + length + 1;
      const word = slot >>> 5;
      const bit = 1 << (slot & 31);
      if ((seen[word] & bit) !== 0) continue;
      seen[word] |= bit;
      let first = -1;
      let held = 0;
      for (let q = 0; q < length; q++) {
        const mask = stateMask[data[from + q]];
        rows[q] = mask;
        if (mask !== 0 && held++ === 0) first = q;
      }
      if (trim && held === 2 && data[from + first] === a && data[from + first + 1] === b) {
        const cls = length * 65536 + (usesDistinct ? distinct : 0);
        let g = classGroups.get(cls);
        if (g === undefined) classGroups.set(cls, (g = groupOfRows(slot, length, distinct)));
        keep(slot, g, keys[i]);
        continue;
      }
      visited++;
      keep(slot, groupOfRows(slot, length, distinct), keys[i]);
    }
  };
  // Scores the unscored candidates whose long-list symbols cover at least `threshold` state
  // positions (a bit-sliced count over the symbols' bitsets, weighted by state multiplicity).
  // Patterns holding two state symbols (one row each), by the symbols' first state positions,
  // their positions in the pattern and its length (see `visitCovering`).
  const pairGroups = new Map<number, number>();
  const visitCovering = (threshold: number) => {
    // A symbol at several state positions covers them all only in patterns holding it repeatedly:
    // its holders count once, and its repeat holders as many more times.
    const lists: Uint32Array[] = [];
    const weights: number[] = [];
    // The symbol of each holders' list (-1 for a repeat holders' list).
    const listIds: number[] = [];
    for (const id of longIds) {
      lists.push(bitset(index, id));
      weights.push(1);
      listIds.push(id);
      const extra = popcount(index.stateMask[id]) - 1;
      if (extra > 0) {
        lists.push(repeatsOf(index, id));
        weights.push(extra);
        listIds.push(-1);
      }
    }
    // Patterns holding two state symbols (one row each) are grouped by the symbols' first state
    // positions, their positions in the pattern and its length, when there is no filter and events
    // are single symbols: those determine the rows.
    const pairwise = trim && !usesDistinct;
    // A pattern holding each of its long-list symbols once has its rows in their posting entries
    // (first positions), when events are single symbols: no read of its tokens. A list's entries
    // for the slots of word w start at `cursors[k]`, the number of its slots before the word.
    const fromPostings = pairwise;
    const cursors = new Int32Array(lists.length);
    const present = new Int32Array(lists.length);
    const heldLists = new Int32Array(lists.length);
    const pairGroup = (slot: number, length: number, pa: number, ma: number, pb: number, mb: number): number => {
      const key = (((31 - Math.clz32(ma & -ma)) * 32 + (31 - Math.clz32(mb & -mb))) * 4096 + pa * 64 + pb) * 256 + length;
      let g = pairGroups.get(key);
      if (g === undefined) {
        rows.fill(0, 0, length);
        rows[pa] = ma;
        rows[pb] = mb;
        pairGroups.set(key, (g = groupOfRows(slot, length, 0)));
      }
      return g;
    };
    // A pattern matching y alone, with or without an x (earlier in the state) before a later y.
    const loneGroup = (slot: number, length: number, my: number, mx: number, two: boolean): number => {
      const key = -((((31 - Math.clz32(my)) * 2 + (two ? 1 : 0)) * 256 + length) + 1);
      let g = pairGroups.get(key);
      if (g === undefined) {
        rows.fill(0, 0, length);
        rows[0] = my;
        // An x and a later y apart (adjacent, they would be a state bigram only when y follows x
        // in the state, and those holders are read before).
        if (two) {
          rows[1] = mx;
          rows[length > 3 ? 3 : 2] = my;
        }
        pairGroups.set(key, (g = groupOfRows(slot, length, 0)));
      }
      return g;
    };
    const readFromPostings = (slot: number, low: number): boolean => {
      let held = 0;
      for (let k = 0; k < lists.length; k++) {
        // Repeat holders' lists add nothing here: the posting entries count the occurrences.
        if ((present[k] & low) !== 0 && listIds[k] >= 0) heldLists[held++] = k;
      }
      const length = lengthOf[slot];
      if (length === 255) return false;
      const below = low - 1;
      if (held === 2) {
        // Two symbols, each at one state position, x before y in the state, however often held:
        // the first block is the first held position. When it holds x, the second is y's first
        // position (blocks and segmentation those of a pattern holding each once there); when it
        // holds y, there is no second block, and the similarity counts two symbols when an x
        // comes before the last y.
        let kx = heldLists[0];
        let ky = heldLists[1];
        if (stateMask[listIds[kx]] > stateMask[listIds[ky]]) [kx, ky] = [ky, kx];
        const x = listIds[kx];
        const y = listIds[ky];
        const mx = stateMask[x];
        const my = stateMask[y];
        if ((mx & (mx - 1)) === 0 && (my & (my - 1)) === 0 && mx > 0 && bigramsRead && (length > 3 || my !== mx << 1)) {
          const ix = cursors[kx] + bitCount(present[kx] & below);
          const iy = cursors[ky] + bitCount(present[ky] & below);
          // Positions are 1-based (255: beyond the first 254).
          const fx = firstPositions[x][ix];
          const fy = firstPositions[y][iy];
          if (fx <= 64 && fy <= 64) {
            keep(slot, fx < fy ? pairGroup(slot, length, fx - 1, mx, fy - 1, my) : loneGroup(slot, length, my, mx, fx < lastPositions[y][iy]));
            return true;
          }
        }
      }
      if (held === 1) {
        // One symbol held twice (at several state positions): its two rows, grouped as a pair's.
        const k = heldLists[0];
        const id = listIds[k];
        const i = cursors[k] + bitCount(present[k] & below);
        const first = firstPositions[id][i];
        const last = lastPositions[id][i];
        if (occurrences[id][i] === 2 && last <= 64) {
          keep(slot, pairGroup(slot, length, first - 1, stateMask[id], last - 1, stateMask[id]));
          return true;
        }
      }
      // Symbols held once or twice sit at their first and last positions.
      rows.fill(0, 0, length);
      for (let h = 0; h < held; h++) {
        const k = heldLists[h];
        const id = listIds[k];
        const i = cursors[k] + bitCount(present[k] & below);
        const times = occurrences[id][i];
        const first = firstPositions[id][i];
        const last = lastPositions[id][i];
        if (times > 2 || first === 255 || last === 255) return false;
        rows[first - 1] = stateMask[id];
        rows[last - 1] = stateMask[id];
      }
      keep(slot, groupOfRows(slot, length, 0));
      return true;
    };
    const { occurrences, firstPositions, lastPositions } = index;
    for (let w = 0; w < words; w++) {
      let c0 = 0;
      let c1 = 0;
      let c2 = 0;
      let c3 = 0;
      let c4 = 0;
      for (let k = 0; k < lists.length; k++) {
        const bits = lists[k];
        const x = w < bits.length ? bits[w] : 0;
        present[k] = x;
        if (x === 0) continue;
        for (let r = 0; r < weights[k]; r++) {
          let carry = x;
          let t = c0 & carry;
          c0 ^= carry;
          carry = t;
          t = c1 & carry;
          c1 ^= carry;
          carry = t;
          t = c2 & carry;
          c2 ^= carry;
          carry = t;
          t = c3 & carry;
          c3 ^= carry;
          c4 ^= t;
        }
      }
      // count ≥ threshold, plane by plane from the top.
      let greater = 0;
      let equal = -1;
      for (let i = 4; i >= 0; i--) {
        const plane = i === 4 ? c4 : i === 3 ? c3 : i === 2 ? c2 : i === 1 ? c1 : c0;
        if ((threshold >> i) & 1) equal &= plane;
        else {
          greater |= equal & plane;
          equal &= ~plane;
        }
      }
      let x = (greater | equal) & ~seen[w];
      while (x !== 0) {
        const low = x & -x;
        x ^= low;
        seen[w] |= low;
        const slot = (w << 5) + 31 - Math.clz32(low);
        visited++;
        if (fromPostings && readFromPostings(slot, low)) continue;
        if (pending === PENDING) readPending();
        pendingSlots[pending++] = slot;
      }
      if (fromPostings) {
        for (let k = 0; k < lists.length; k++) if (present[k] !== 0 && listIds[k] >= 0) cursors[k] += bitCount(present[k]);
      }
    }
    readPending();
  };
  // Candidates whose tokens must be read are read in batches: first their bounds and the first
  // and last of their tokens (independent loads, which the processor overlaps), then each one in
  // full from the cache.
  const PENDING = 64;
  const pendingSlots = new Int32Array(PENDING);
  const pendingStarts = new Int32Array(PENDING + 1);
  const pendingEnds = new Int32Array(PENDING);
  let pending = 0;
  const readPending = () => {
    let touched = 0;
    for (let k = 0; k < pending; k++) {
      const slot = pendingSlots[k];
      const start = tokenStart[slot];
      const end = tokenStart[slot + 1];
      pendingStarts[k] = start;
      pendingEnds[k] = end;
      touched ^= tokens[start] ^ tokens[end - 1];
    }
    loads ^= touched;
    const pairwise = trim && !usesDistinct;
    for (let k = 0; k < pending; k++) {
      const slot = pendingSlots[k];
      const start = pendingStarts[k];
      const length = pendingEnds[k] - start;
      let held = 0;
      let pa = 0;
      let pb = 0;
      for (let p = 0; p < length; p++) {
        const mask = stateMask[tokens[start + p]];
        rows[p] = mask;
        if (mask !== 0 && ++held <= 2) {
          if (held === 1) pa = p;
          else pb = p;
        }
      }
      // Small integer keys: first state positions below 32, pattern positions below 64, lengths below 256.
      if (pairwise && held === 2 && pb < 64 && length < 256) {
        const key = (((31 - Math.clz32(rows[pa] & -rows[pa])) * 32 + (31 - Math.clz32(rows[pb] & -rows[pb]))) * 4096 + pa * 64 + pb) * 256 + length;
        let g = pairGroups.get(key);
        if (g === undefined) pairGroups.set(key, (g = groupOfRows(slot, length, distinctOf[slot])));
        keep(slot, g);
        continue;
      }
      keep(slot, groupOfRows(slot, length, distinctOf[slot]));
    }
    pending = 0;
  };

  // With single-symbol events, a pattern matching one state symbol that it holds once scores by
  // its length and distinct count only: one signature per such class stands for all.
  const visitLoneHolders = (token: number) => {
    const list = index.postings[token];
    const occurrences = index.occurrences[token];
    const byClass = index.maxEventLength === 1;
    // With one pattern length and no filter, every lone holder held once scores alike; in the
    // name-ordered slots, those after the kept ones tied with them can be passed over once
    // enough candidates are at least as good and named earlier.
    const uniform = byClass && !usesDistinct && index.minLength === index.maxLength;
    // A symbol at one state position matches once however often a pattern holds it (its first
    // occurrence, with nothing to pull from the past): then its repeat holders score as its lone
    // holders do.
    const once = uniform && popcount(stateMask[token]) === 1;
    const sortedCount = index.sortedCount;
    let passOver = false;
    let nextCheck = 4096;
    let kept = 0;
    const classGroups = new Map<number, number>();
    let lastClass = -1;
    let lastGroup = -1;
    for (let i = 0, used = index.postingLengths[token]; i < used; i++) {
      const slot = list[i];
      const lone = once || occurrences[i] === 1;
      if (passOver && slot < sortedCount && lone) continue;
      const word = slot >>> 5;
      const bit = 1 << (slot & 31);
      if ((seen[word] & bit) !== 0) continue;
      seen[word] |= bit;
      if (!byClass || !lone) {
        visit(slot);
        continue;
      }
      const short = lengthOf[slot];
      const cls = (short < 255 ? short : tokenStart[slot + 1] - tokenStart[slot]) * 65536 + (usesDistinct ? distinctOf[slot] : 0);
      if (cls !== lastClass) {
        let g = classGroups.get(cls);
        if (g === undefined) classGroups.set(cls, (g = signatureGroup(slot)));
        lastClass = cls;
        lastGroup = g;
      }
      keep(slot, lastGroup);
      if (uniform && slot < sortedCount && ++kept === nextCheck) {
        nextCheck *= 2;
        passOver = outranked(lastGroup, slot);
      }
    }
  };
  // True when no further candidate of group g named after `slot` (in the name-ordered slots) can
  // be kept: at least `limit` candidates score better, or as well and are named earlier.
  const outranked = (g: number, slot: number): boolean => {
    if (!groups.passes[g]) return true;
    const pre = groups.pre[g];
    const similarity = groups.similarity[g];
    let ahead = 0;
    for (let e = 0; e < entries; e++) {
      const h = entryGroups[e];
      const hp = groups.pre[h];
      const hs = groups.similarity[h];
      if (hp > pre || (hp === pre && (hs > similarity || (hs === similarity && entrySlots[e] <= slot)))) ahead++;
    }
    return ahead >= limit;
  };

  if (!done && longIds.length > 0) {
    raiseEdge();
    const longPositions = statePositions(longIds);
    if (preBound(index, longPositions, n, ctx.recallThreshold) >= edgePre) {
      const isLong = new Set(longIds);
      const pairs = new Set<string>();
      const singleBlocks = bigramsRead;
      for (let j = 0; singleBlocks && j + 1 < n; j++) {
        const a = index.symbolIds.get(ctx.state[j]);
        const b = index.symbolIds.get(ctx.state[j + 1]);
        if (a === undefined || b === undefined || !isLong.has(a) || !isLong.has(b) || pairs.has(`${a},${b}`)) continue;
        pairs.add(`${a},${b}`);
        visitBigram(a, b);
      }
      // Every candidate left matches in blocks of one symbol, each at a distinct state position
      // its symbols cover: m matches need m covered positions.
      let floor = Number.POSITIVE_INFINITY;
      for (;;) {
        raiseEdge();
        const bounds = preBoundsByMatches(index, longPositions, n, ctx.recallThreshold, singleBlocks);
        let least = 0;
        for (let m = 1; m < bounds.length && m < floor; m++) {
          if (bounds[m] >= edgePre) {
            least = m;
            break;
          }
        }
        if (least === 0) break;
        if (least >= 2 || floor > 2) {
          // Candidates covering three positions or more are scored before those covering two,
          // which are the most numerous: the edge they raise often leaves no two-position
          // candidate a chance, and the second pass then ends the selection.
          const threshold = Math.max(floor > 3 ? 3 : 2, least);
          visitCovering(threshold);
          floor = threshold;
          continue;
        }
        // One match left to consider: candidates holding one state symbol (at one state position).
        for (const token of longIds) {
          raiseEdge();
          if (preBound(index, statePositions([token]), n, ctx.recallThreshold, singleBlocks) < edgePre) continue;
          visitLoneHolders(token);
        }
        break;
      }
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
  const keyOf = (e: number) => {
    const key = entryKeys[e];
    return key === key ? key : index.nameKey[entrySlots[e]];
  };
  const sorted = index.sortedCount;
  const above = (a: number, b: number) => {
    const sa = entrySlots[a];
    const sb = entrySlots[b];
    if (sa < sorted && sb < sorted) return sa > sb;
    const ka = keyOf(a);
    const kb = keyOf(b);
    return ka !== kb ? ka > kb : compareNames(index, sa, sb) > 0;
  };
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
