/**
 * Exact selection of the pruned candidate set of §8.8 from a candidate index — the best
 * 3·max_predictions by (pre desc, similarity desc, name asc) — without scoring every candidate.
 */
import {
  bitset,
  compareNames,
  grown,
  positionsOf,
  slotName,
  type CandidateIndex,
  type RememberedScore,
  type Score,
} from './candidate-index.js';
import type { MatchContext } from './match.js';
import { preBound } from './pre-bound.js';
import { scoreRows } from './row-score.js';

// Row masks are 32-bit: longer states take the generic path.
export const MAX_INDEXED_STATE = 30;

/** True when the indexed selection computes the same pruned set as scoring every candidate. */
export function indexSupports(ctx: MatchContext): boolean {
  return ctx.tokenMode && ctx.fuzzyThreshold === 0 && ctx.recallThreshold > 0 && ctx.state.length <= MAX_INDEXED_STATE;
}

/** What a selection found: the names of the kept candidates (unordered). */
export interface CandidateSelection {
  names: string[];
  /** Diagnostics: slots whose signature was read, and distinct signatures seen. */
  visited: number;
  groups: number;
}

// Scores are a pure function of the signature, the state's length and equality structure and
// the settings, so they are remembered across queries, up to this many (and this many structures).
const SCORE_MEMO_LIMIT = 200_000;
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
      index.scoreCount = 0;
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
  add(shape: number, distinct: number, hash: number, rows: Int32Array, from: number, length: number, score: Score): number {
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
    this.passes[g] = score.passes ? 1 : 0;
    this.pre[g] = score.pre;
    this.similarity[g] = score.similarity;
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
  let entries = 0;
  let visited = 0;
  const rows = new Int32Array(Math.max(1, index.maxLength));
  // The (pre, similarity) of the `limit`-th best candidate kept so far; candidates strictly
  // below it can never be kept, since it only rises.
  let edgePre = Number.NEGATIVE_INFINITY;
  let edgeSimilarity = Number.NEGATIVE_INFINITY;

  // With single-symbol events, pattern positions before the first and after the last state
  // symbol only count through the length, so a signature is (length, distinct, the rows between
  // them); otherwise (shape, distinct, all rows). `span` holds [from, to, kind] of the last one read.
  const trim = index.maxEventLength === 1;
  const scoring = { stateLength: n, recallThreshold: ctx.recallThreshold, pipeline: ctx.pipeline };
  const span = new Int32Array(3);
  const score = (slot: number, distinct: number, length: number, hash: number): Score => {
    const from = span[0];
    const width = span[1] - from;
    const kind = span[2];
    const key = mix(hash ^ Math.imul(structure + 1, 0x27d4eb2d));
    let bucket = index.scores.get(key);
    if (bucket) {
      for (const known of bucket) {
        if (known.structure !== structure || known.shape !== kind || known.distinct !== distinct || known.rows.length !== width) continue;
        let p = 0;
        while (p < width && known.rows[p] === rows[from + p]) p++;
        if (p === width) return known;
      }
    } else {
      if (index.scoreCount >= SCORE_MEMO_LIMIT) {
        index.scores.clear();
        index.scoreCount = 0;
      }
      index.scores.set(key, (bucket = []));
    }
    const known: RememberedScore = {
      structure,
      shape: kind,
      distinct,
      rows: rows.slice(from, from + width),
      ...scoreRows(rows, length, index.shapes[index.shapeOf[slot]], distinct, scoring),
    };
    bucket.push(known);
    index.scoreCount++;
    return known;
  };

  // The group of the signature now in `rows[0 .. length)` (for a slot of that length).
  const { tokenStart, tokens, stateMask, distinctOf, shapeOf } = index;
  const groupOfRows = (slot: number, length: number, distinct: number): number => {
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
    return g !== -1 ? g : groups.add(kind, distinct, hash, rows, from, to - from, score(slot, distinct, length, hash));
  };
  // Reads the slot's rows (the state positions holding each pattern symbol) and returns its group.
  const signatureGroup = (slot: number): number => {
    visited++;
    const start = tokenStart[slot];
    const length = tokenStart[slot + 1] - start;
    for (let p = 0; p < length; p++) rows[p] = stateMask[tokens[start + p]];
    return groupOfRows(slot, length, distinctOf[slot]);
  };

  const keep = (slot: number, g: number) => {
    if (groups.passes[g] === 0) return;
    const pre = groups.pre[g];
    if (pre < edgePre || (pre === edgePre && groups.similarity[g] < edgeSimilarity)) return;
    groups.members[g]++;
    if (entries === entrySlots.length) {
      groups.entrySlots = entrySlots = grown(entrySlots, entries + 1);
      groups.entryGroups = entryGroups = grown(entryGroups, entries + 1);
    }
    entrySlots[entries] = slot;
    entryGroups[entries] = g;
    entries++;
  };

  // Moves the edge up to the `limit`-th best kept candidate, when there are that many.
  const raiseEdge = () => {
    if (entries < limit) return;
    const ranked: number[] = [];
    for (let g = 0; g < groups.count; g++) if (groups.members[g] > 0) ranked.push(g);
    ranked.sort((a, b) => groups.pre[b] - groups.pre[a] || groups.similarity[b] - groups.similarity[a]);
    let taken = 0;
    for (const g of ranked) {
      taken += groups.members[g];
      if (taken >= limit) {
        edgePre = groups.pre[g];
        edgeSimilarity = groups.similarity[g];
        return;
      }
    }
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

  for (let k = 0; k < stateIds.length; k++) {
    raiseEdge();
    if (preBound(index, statePositions(stateIds.slice(k)), n, ctx.recallThreshold) < edgePre) break;
    const token = stateIds[k];
    const list = index.postings[token];
    const occurrences = index.occurrences[token];
    const used = index.postingLengths[token];
    if (used < index.bitsetMinimum) {
      for (let i = 0; i < used; i++) {
        const slot = list[i];
        const word = slot >>> 5;
        const bit = 1 << (slot & 31);
        if ((seen[word] & bit) !== 0) continue;
        seen[word] |= bit;
        visit(slot);
      }
      continue;
    }
    // A long list in two passes: first the candidates that also hold a later state symbol; then,
    // if they can still be kept, those holding this symbol alone among the remaining ones.
    const later = stateIds.slice(k + 1);
    const laterBits = later.map((id) => bitset(index, id));
    // With single-symbol events, a pattern holding this symbol and exactly one later one (each
    // once) has its signature in the two positions: grouped without reading the pattern.
    const byPositions = trim && later.length > 0;
    const here = byPositions ? positionsOf(index, token) : null;
    const laterAt = byPositions ? later.map((id) => positionsOf(index, id)) : [];
    const pairGroups = new Map<number, number>();
    for (let i = 0; i < used && later.length > 0; i++) {
      const slot = list[i];
      const word = slot >>> 5;
      const bit = 1 << (slot & 31);
      if ((seen[word] & bit) !== 0) continue;
      let count = 0;
      let other = -1;
      for (let b = 0; b < laterBits.length; b++) {
        const bits = laterBits[b];
        if (word < bits.length && (bits[word] & bit) !== 0) {
          other = b;
          if (++count > 1) break;
        }
      }
      if (count === 0) continue;
      seen[word] |= bit;
      if (here !== null && count === 1) {
        const pt = here[slot];
        const pu = laterAt[other][slot];
        const length = tokenStart[slot + 1] - tokenStart[slot];
        const distinct = distinctOf[slot];
        if (pt !== 255 && pu !== 255 && length < 256 && distinct < 256) {
          const key = (((other * 256 + length) * 256 + distinct) * 256 + pt) * 256 + pu;
          let g = pairGroups.get(key);
          if (g === undefined) {
            rows.fill(0, 0, length);
            rows[pt - 1] = stateMask[token];
            rows[pu - 1] = stateMask[later[other]];
            pairGroups.set(key, (g = groupOfRows(slot, length, distinct)));
          }
          keep(slot, g);
          continue;
        }
      }
      visit(slot);
    }
    raiseEdge();
    if (preBound(index, statePositions([token]), n, ctx.recallThreshold) < edgePre) continue;
    // With single-symbol events, a pattern matching one state symbol that it holds once scores
    // by its length and distinct count only: one signature per such class stands for all.
    const byClass = index.maxEventLength === 1;
    const classGroups = new Map<number, number>();
    let lastClass = -1;
    let lastGroup = -1;
    for (let i = 0; i < used; i++) {
      const slot = list[i];
      if ((seen[slot >>> 5] & (1 << (slot & 31))) !== 0) continue;
      if (!byClass || occurrences[i] !== 1) {
        visit(slot);
        continue;
      }
      const cls = (index.tokenStart[slot + 1] - index.tokenStart[slot]) * 65536 + index.distinctOf[slot];
      if (cls !== lastClass) {
        let g = classGroups.get(cls);
        if (g === undefined) classGroups.set(cls, (g = signatureGroup(slot)));
        lastClass = cls;
        lastGroup = g;
      }
      keep(slot, lastGroup);
    }
  }

  const names: string[] = [];
  if (entries <= limit) {
    for (let e = 0; e < entries; e++) names.push(slotName(index, entrySlots[e]));
    return { names, visited, groups: groups.count };
  }
  raiseEdge();
  const better = (g: number) => groups.pre[g] > edgePre || (groups.pre[g] === edgePre && groups.similarity[g] > edgeSimilarity);
  let kept = 0;
  for (let g = 0; g < groups.count; g++) if (better(g)) kept += groups.members[g];
  const need = limit - kept;
  // The `need` smallest names among the tied candidates: a max-heap in name order.
  const heap: number[] = [];
  const above = (a: number, b: number) => compareNames(index, a, b) > 0;
  for (let e = 0; e < entries; e++) {
    const g = entryGroups[e];
    const slot = entrySlots[e];
    if (better(g)) {
      names.push(slotName(index, slot));
    } else if (groups.pre[g] === edgePre && groups.similarity[g] === edgeSimilarity && need > 0) {
      if (heap.length < need) {
        heap.push(slot);
        for (let i = heap.length - 1; i > 0; ) {
          const parent = (i - 1) >> 1;
          if (!above(heap[i], heap[parent])) break;
          [heap[i], heap[parent]] = [heap[parent], heap[i]];
          i = parent;
        }
      } else if (above(heap[0], slot)) {
        heap[0] = slot;
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
  for (const slot of heap) names.push(slotName(index, slot));
  return { names, visited, groups: groups.count };
}
