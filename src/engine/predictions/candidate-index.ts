/**
 * An in-memory symbol → pattern index that selects the pruned candidate set of §8.8 exactly —
 * the best 3·max_predictions by (pre desc, similarity desc, name asc) — without scoring them all.
 */
import { ValidationError } from '../../errors.js';
import type { Event, PatternRecord } from '../types.js';
import type { MatchContext } from './match.js';
import { fragmentationTerm, matchPattern } from './match.js';
import { tokenSimilarity } from './similarity.js';

/**
 * Patterns as interned symbol ids in flat typed arrays, with per-symbol posting lists of pattern
 * slots. Built by `addToCandidateIndex`; read by `selectCandidates`.
 */
export interface CandidateIndex {
  symbolIds: Map<string, number>;
  symbols: string[];
  /** Per symbol id: slots of the patterns containing it, ascending, `postingLengths[id]` used. */
  postings: Int32Array[];
  postingLengths: number[];
  /** Number of patterns. */
  size: number;
  /** Per slot: first position in `tokens` (slot `size` holds the end). */
  tokenStart: Int32Array;
  tokens: Int32Array;
  /** Per slot: its shape (event lengths) id, and its number of distinct symbols. */
  shapeOf: Int32Array;
  distinctOf: Int32Array;
  shapes: number[][];
  shapeIds: Map<string, number>;
  /** Per slot: the 20 bytes of the name, and its first 6 bytes as an exact number (name order). */
  nameBytes: Uint8Array;
  nameKey: Float64Array;
  minLength: number;
  maxLength: number;
  maxEventLength: number;
  /** Membership bitsets of the symbols with long posting lists, built on demand. */
  bitsets: Map<number, Uint32Array>;
  /** Posting lists at least this long are tested through bitsets (and their lone slots by class). */
  bitsetMinimum: number;
  /** Scores of signatures under query structures and settings, remembered across queries. */
  scores: Map<string, { passes: boolean; pre: number; similarity: number }>;
  /** Per-query scratch: slot stamps and state-position masks per symbol id. */
  stamp: Int32Array;
  query: number;
  stateMask: Int32Array;
}

const NAME_BYTES = 20;
// Posting lists shorter than this are scored candidate by candidate; longer ones use bitsets.
const BITSET_MINIMUM = 2048;
// Bounds are compared with a margin so float rounding can never prune an eligible candidate.
const BOUND_SLACK = 1e-9;
// Row masks are 32-bit: longer states take the generic path.
export const MAX_INDEXED_STATE = 30;

/** An empty index (`bitsetMinimum` tunes when long posting lists switch to bitset tests). */
export function createCandidateIndex(options: { bitsetMinimum?: number } = {}): CandidateIndex {
  return {
    bitsetMinimum: options.bitsetMinimum ?? BITSET_MINIMUM,
    symbolIds: new Map(),
    symbols: [],
    postings: [],
    postingLengths: [],
    size: 0,
    tokenStart: new Int32Array(1025),
    tokens: new Int32Array(8192),
    shapeOf: new Int32Array(1024),
    distinctOf: new Int32Array(1024),
    shapes: [],
    shapeIds: new Map(),
    nameBytes: new Uint8Array(1024 * NAME_BYTES),
    nameKey: new Float64Array(1024),
    minLength: Number.POSITIVE_INFINITY,
    maxLength: 0,
    maxEventLength: 0,
    bitsets: new Map(),
    scores: new Map(),
    stamp: new Int32Array(1024),
    query: 0,
    stateMask: new Int32Array(1024),
  };
}

function grown<T extends Int32Array | Float64Array | Uint8Array | Uint32Array>(array: T, needed: number): T {
  if (array.length >= needed) return array;
  let length = array.length || 1;
  while (length < needed) length *= 2;
  const next = new (array.constructor as new (n: number) => T)(length);
  next.set(array);
  return next;
}

function internSymbol(index: CandidateIndex, symbol: string): number {
  let id = index.symbolIds.get(symbol);
  if (id === undefined) {
    id = index.symbols.length;
    index.symbolIds.set(symbol, id);
    index.symbols.push(symbol);
    index.postings.push(new Int32Array(4));
    index.postingLengths.push(0);
    index.stateMask = grown(index.stateMask, id + 1);
  }
  return id;
}

function internShape(index: CandidateIndex, events: readonly Event[]): number {
  const lengths = events.map((e) => e.length);
  const key = lengths.join(',');
  let id = index.shapeIds.get(key);
  if (id === undefined) {
    id = index.shapes.length;
    index.shapeIds.set(key, id);
    index.shapes.push(lengths);
  }
  return id;
}

/** Adds one pattern (by bare name and events); each pattern must be added once. */
export function addToCandidateIndex(index: CandidateIndex, name: string, events: readonly Event[]): void {
  if (!/^[0-9a-f]{40}$/.test(name)) throw new ValidationError(`not a pattern name: ${JSON.stringify(name)}`, { name });
  const slot = index.size;
  const start = index.tokenStart[slot];
  let length = 0;
  for (const event of events) length += event.length;
  index.tokens = grown(index.tokens, start + length);
  index.tokenStart = grown(index.tokenStart, slot + 2);
  index.shapeOf = grown(index.shapeOf, slot + 1);
  index.distinctOf = grown(index.distinctOf, slot + 1);
  index.nameKey = grown(index.nameKey, slot + 1);
  index.nameBytes = grown(index.nameBytes, (slot + 1) * NAME_BYTES);
  index.stamp = grown(index.stamp, slot + 1);

  let p = start;
  let distinct = 0;
  for (const event of events) {
    if (event.length > index.maxEventLength) index.maxEventLength = event.length;
    for (const symbol of event) {
      const id = internSymbol(index, symbol);
      index.tokens[p++] = id;
      const list = index.postings[id];
      const used = index.postingLengths[id];
      // A symbol repeated in the pattern is posted once.
      if (used > 0 && list[used - 1] === slot) continue;
      distinct++;
      const next = grown(list, used + 1);
      next[used] = slot;
      index.postings[id] = next;
      index.postingLengths[id] = used + 1;
      const bits = index.bitsets.get(id);
      if (bits) {
        const sized = grown(bits, (slot >>> 5) + 1);
        sized[slot >>> 5] |= 1 << (slot & 31);
        index.bitsets.set(id, sized);
      }
    }
  }
  index.tokenStart[slot + 1] = p;
  index.shapeOf[slot] = internShape(index, events);
  index.distinctOf[slot] = distinct;
  let key = 0;
  for (let b = 0; b < NAME_BYTES; b++) {
    const byte = parseInt(name.slice(2 * b, 2 * b + 2), 16);
    index.nameBytes[slot * NAME_BYTES + b] = byte;
    if (b < 6) key = key * 256 + byte;
  }
  index.nameKey[slot] = key;
  if (length < index.minLength) index.minLength = length;
  if (length > index.maxLength) index.maxLength = length;
  index.size = slot + 1;
}

function bitset(index: CandidateIndex, id: number): Uint32Array {
  let bits = index.bitsets.get(id);
  if (!bits) {
    bits = new Uint32Array((index.size >>> 5) + 1);
    const list = index.postings[id];
    for (let i = 0, n = index.postingLengths[id]; i < n; i++) bits[list[i] >>> 5] |= 1 << (list[i] & 31);
    index.bitsets.set(id, bits);
  }
  return bits;
}

/** The name of a slot as bare hex. */
export function slotName(index: CandidateIndex, slot: number): string {
  let hex = '';
  for (let b = 0; b < NAME_BYTES; b++) hex += index.nameBytes[slot * NAME_BYTES + b].toString(16).padStart(2, '0');
  return hex;
}

/** The events of a slot, rebuilt from its shape and symbol ids. */
export function slotEvents(index: CandidateIndex, slot: number): Event[] {
  let p = index.tokenStart[slot];
  return index.shapes[index.shapeOf[slot]].map((n) => {
    const event: string[] = [];
    for (let k = 0; k < n; k++) event.push(index.symbols[index.tokens[p++]]);
    return event;
  });
}

function compareNames(index: CandidateIndex, a: number, b: number): number {
  const ka = index.nameKey[a];
  const kb = index.nameKey[b];
  if (ka !== kb) return ka < kb ? -1 : 1;
  for (let i = 0; i < NAME_BYTES; i++) {
    const d = index.nameBytes[a * NAME_BYTES + i] - index.nameBytes[b * NAME_BYTES + i];
    if (d !== 0) return d;
  }
  return 0;
}

/** True when the indexed selection computes the same pruned set as scoring every candidate. */
export function indexSupports(ctx: MatchContext): boolean {
  return ctx.tokenMode && ctx.fuzzyThreshold === 0 && ctx.recallThreshold > 0 && ctx.state.length <= MAX_INDEXED_STATE;
}

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

/** What a selection found: the names of the kept candidates (unordered). */
export interface CandidateSelection {
  names: string[];
  /** Diagnostics: slots whose signature was read, and distinct signatures seen. */
  visited: number;
  groups: number;
}

/** How a signature scores under one query's settings. */
interface Score {
  passes: boolean;
  pre: number;
  similarity: number;
}

// Scores are a pure function of the signature, the state's length and equality structure and
// the settings, so they are remembered across queries (bounded).
const SCORE_MEMO_LIMIT = 200_000;

/**
 * The candidates the ensemble keeps for this state: every candidate passing the filters and the
 * recall threshold when there are at most `limit`, else the `limit` best by (pre desc, similarity
 * desc, name asc). Returns null when the session's settings need the generic path.
 */
export function selectCandidates(index: CandidateIndex, ctx: MatchContext, limit: number): CandidateSelection | null {
  if (!indexSupports(ctx)) return null;
  const n = ctx.state.length;
  const stateIds: number[] = [];
  const multiplicity = new Map<number, number>();
  const firstPosition = new Map<string, number>();
  const partition: number[] = [];
  for (let j = 0; j < n; j++) {
    const symbol = ctx.state[j];
    if (!firstPosition.has(symbol)) firstPosition.set(symbol, j);
    partition.push(firstPosition.get(symbol)!);
    const id = index.symbolIds.get(symbol);
    if (id === undefined) continue;
    if (!multiplicity.has(id)) stateIds.push(id);
    multiplicity.set(id, (multiplicity.get(id) ?? 0) + 1);
    index.stateMask[id] |= 1 << j;
  }
  try {
    return selectWithMasks(index, ctx, limit, stateIds, multiplicity, `${ctx.settingsKey}|${partition.join(',')}`);
  } finally {
    for (const id of stateIds) index.stateMask[id] = 0;
  }
}

/** Per-query groups of candidates with equal scores, in flat typed arrays. */
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

  add(shape: number, distinct: number, hash: number, rows: Int32Array, length: number, score: Score): number {
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
    this.rows.set(rows.subarray(0, length), this.rowsUsed);
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
    return g;
  }

  /** The group with this signature, or -1; `insertAt` receives the free table slot. */
  find(shape: number, distinct: number, hash: number, rows: Int32Array, length: number): number {
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
      while (p < length && this.rows[start + p] === rows[p]) p++;
      if (p === length) return g;
    }
  }

  free = 0;

  /** Files group `g` in the table slot `find` left free, growing the table when half full. */
  file(g: number): void {
    this.table[this.free] = g;
    if (this.count * 2 > this.table.length) {
      this.table = new Int32Array(this.table.length * 2).fill(-1);
      const mask = this.table.length - 1;
      for (let k = 0; k < this.count; k++) {
        if (this.rowsLength[k] < 0) continue;
        let t = this.hash[k] & mask;
        while (this.table[t] !== -1) t = (t + 1) & mask;
        this.table[t] = k;
      }
    }
  }
}

function selectWithMasks(
  index: CandidateIndex,
  ctx: MatchContext,
  limit: number,
  stateIds: number[],
  multiplicity: Map<number, number>,
  queryKey: string,
): CandidateSelection {
  const n = ctx.state.length;
  const query = ++index.query;
  // Short posting lists first: once only long lists remain, a bound may show that their
  // remaining candidates cannot reach the kept set.
  stateIds.sort((a, b) => index.postingLengths[a] - index.postingLengths[b] || a - b);
  const groups = new Groups();
  let entrySlots = new Int32Array(1024);
  let entryGroups = new Int32Array(1024);
  let entries = 0;
  let visited = 0;
  const rows = new Int32Array(Math.max(1, index.maxLength));

  const score = (slot: number, shape: number, distinct: number, length: number): Score => {
    let key = `${queryKey}|${shape}|${distinct}|`;
    for (let p = 0; p < length; p++) key += `${rows[p]},`;
    let known = index.scores.get(key);
    if (!known) {
      const record: PatternRecord = { name: '', events: slotEvents(index, slot), length, frequency: 1, emotives: [], metadata: {} };
      const match = matchPattern(record, ctx);
      known = match ? { passes: true, pre: match.pre, similarity: match.similarity } : { passes: false, pre: 0, similarity: 0 };
      if (index.scores.size >= SCORE_MEMO_LIMIT) index.scores.clear();
      index.scores.set(key, known);
    }
    return known;
  };
  // Reads the slot's rows (state positions per pattern position) and returns its group.
  const signatureGroup = (slot: number): number => {
    const start = index.tokenStart[slot];
    const length = index.tokenStart[slot + 1] - start;
    const shape = index.shapeOf[slot];
    const distinct = index.distinctOf[slot];
    let hash = Math.imul(shape + 0x9e3779b9, 0x85ebca6b) ^ Math.imul(distinct + 1, 0xc2b2ae35);
    for (let p = 0; p < length; p++) {
      const mask = index.stateMask[index.tokens[start + p]];
      rows[p] = mask;
      hash = Math.imul(hash ^ mask, 0x01000193) ^ p;
    }
    let g = groups.find(shape, distinct, hash, rows, length);
    if (g === -1) {
      g = groups.add(shape, distinct, hash, rows, length, score(slot, shape, distinct, length));
      groups.file(g);
    }
    return g;
  };
  const keep = (slot: number, g: number) => {
    if (groups.passes[g] === 0) return;
    groups.members[g]++;
    if (entries === entrySlots.length) {
      entrySlots = grown(entrySlots, entries + 1);
      entryGroups = grown(entryGroups, entries + 1);
    }
    entrySlots[entries] = slot;
    entryGroups[entries] = g;
    entries++;
  };

  // The (pre, similarity) of the `limit`-th best passing candidate so far, or null.
  const boundary = (): { pre: number; similarity: number } | null => {
    if (entries < limit) return null;
    const ranked: number[] = [];
    for (let g = 0; g < groups.count; g++) if (groups.passes[g] === 1 && groups.members[g] > 0) ranked.push(g);
    ranked.sort((a, b) => groups.pre[b] - groups.pre[a] || groups.similarity[b] - groups.similarity[a]);
    let seen = 0;
    for (const g of ranked) {
      seen += groups.members[g];
      if (seen >= limit) return { pre: groups.pre[g], similarity: groups.similarity[g] };
    }
    return null;
  };

  const positions: number[] = [];
  for (let k = 0; k < stateIds.length; k++) {
    const edge = boundary();
    if (edge !== null) {
      positions.length = 0;
      for (let j = 0; j < n; j++) {
        const id = index.symbolIds.get(ctx.state[j]);
        if (id !== undefined && stateIds.indexOf(id, k) !== -1) positions.push(j);
      }
      if (preBound(index, positions, n, ctx.recallThreshold) < edge.pre) break;
    }
    const token = stateIds[k];
    const list = index.postings[token];
    const used = index.postingLengths[token];
    const useBitsets = used >= index.bitsetMinimum;
    const laterBits = useBitsets ? stateIds.slice(k + 1).map((id) => bitset(index, id)) : [];
    // A slot holding this symbol and no other state symbol matches it alone; with single-symbol
    // events and the symbol once in the state, its scores depend on its length and distinct
    // count only, so such slots share a group per (length, distinct) without reading them.
    const byClass = useBitsets && index.maxEventLength === 1 && multiplicity.get(token) === 1;
    const classGroups = new Map<number, number>();
    let lastClass = -1;
    let lastGroup = -1;
    for (let i = 0; i < used; i++) {
      const slot = list[i];
      if (index.stamp[slot] === query) continue;
      index.stamp[slot] = query;
      let alone = byClass;
      if (alone) {
        const word = slot >>> 5;
        const bit = 1 << (slot & 31);
        for (let b = 0; b < laterBits.length; b++) {
          const bits = laterBits[b];
          if (word < bits.length && (bits[word] & bit) !== 0) {
            alone = false;
            break;
          }
        }
      }
      if (!alone) {
        visited++;
        keep(slot, signatureGroup(slot));
        continue;
      }
      const length = index.tokenStart[slot + 1] - index.tokenStart[slot];
      const cls = length * 65536 + index.distinctOf[slot];
      if (cls !== lastClass) {
        let g = classGroups.get(cls);
        if (g === undefined) {
          g = signatureGroup(slot);
          classGroups.set(cls, g);
        }
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
  const edge = boundary()!;
  const better = (g: number) => groups.pre[g] > edge.pre || (groups.pre[g] === edge.pre && groups.similarity[g] > edge.similarity);
  const tied = (g: number) => groups.pre[g] === edge.pre && groups.similarity[g] === edge.similarity;
  let kept = 0;
  for (let g = 0; g < groups.count; g++) if (groups.passes[g] === 1 && better(g)) kept += groups.members[g];
  const need = limit - kept;
  // The `need` smallest names among the tied candidates: a max-heap in name order.
  const heap: number[] = [];
  const above = (a: number, b: number) => compareNames(index, a, b) > 0;
  for (let e = 0; e < entries; e++) {
    const g = entryGroups[e];
    const slot = entrySlots[e];
    if (better(g)) {
      names.push(slotName(index, slot));
    } else if (tied(g) && need > 0) {
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
