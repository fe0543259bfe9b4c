/**
 * An in-memory symbol → pattern index that selects the pruned candidate set of §8.8 exactly —
 * the best 3·max_predictions by (pre desc, similarity desc, name asc) — without scoring them all.
 */
import { ValidationError } from '../../errors.js';
import type { Event } from '../types.js';
import type { MatchContext } from './match.js';
import { fragmentationTerm } from './match.js';
import { scoreRows } from './row-score.js';
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
  /** Per symbol id, parallel to `postings`: how often the symbol occurs in that pattern (at most 255). */
  occurrences: Uint8Array[];
  /** Number of patterns. */
  size: number;
  /** Per slot: first position in `tokens` (slot `size` holds the end). */
  tokenStart: Int32Array;
  tokens: Int32Array;
  /** Per slot: its shape (event lengths) id, and its number of distinct symbols. */
  shapeOf: Int32Array;
  distinctOf: Int32Array;
  shapes: number[][];
  shapeIds: Map<string | number, number>;
  /** Per slot: the 20 bytes of the name, and its first 6 bytes as an exact number (name order). */
  nameBytes: Uint8Array;
  nameKey: Float64Array;
  minLength: number;
  maxLength: number;
  maxEventLength: number;
  /** Membership bitsets of the symbols with long posting lists, built on demand. */
  bitsets: Map<number, Uint32Array>;
  /**
   * Per slot, for the symbols with long posting lists (built on demand): 1 + the symbol's position
   * in the pattern, 0 when absent, 255 when repeated or too far to note.
   */
  positions: Map<number, Uint8Array>;
  /** Posting lists at least this long are tested through bitsets (and their lone slots by class). */
  bitsetMinimum: number;
  /** Scores of signatures by query structure, remembered across queries (see `selectCandidates`). */
  scores: Map<number, RememberedScore[]>;
  scoreCount: number;
  structures: Map<string, number>;
  /** Per-query scratch: a bitset of the slots already taken, and state-position masks per symbol id. */
  seen: Uint32Array;
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
    occurrences: [],
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
    positions: new Map(),
    scores: new Map(),
    scoreCount: 0,
    structures: new Map(),
    seen: new Uint32Array(32),
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
    index.occurrences.push(new Uint8Array(4));
    index.stateMask = grown(index.stateMask, id + 1);
  }
  return id;
}

function internShape(index: CandidateIndex, events: readonly Event[]): number {
  const lengths = events.map((e) => e.length);
  // Single-symbol events (the training shape) are keyed by their count alone.
  const key = lengths.every((n) => n === 1) ? lengths.length : lengths.join(',');
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
  index.seen = grown(index.seen, (slot >>> 5) + 1);

  let p = start;
  let distinct = 0;
  for (const event of events) {
    if (event.length > index.maxEventLength) index.maxEventLength = event.length;
    for (const symbol of event) {
      const id = internSymbol(index, symbol);
      index.tokens[p++] = id;
      const list = index.postings[id];
      const used = index.postingLengths[id];
      const at = index.positions.get(id);
      // A symbol repeated in the pattern is posted once, with its number of occurrences.
      if (used > 0 && list[used - 1] === slot) {
        const occurrences = index.occurrences[id];
        if (occurrences[used - 1] < 255) occurrences[used - 1]++;
        if (at) at[slot] = 255;
        continue;
      }
      if (at) {
        const sized = grown(at, slot + 1);
        sized[slot] = Math.min(255, p - start);
        index.positions.set(id, sized);
      }
      distinct++;
      const next = grown(list, used + 1);
      next[used] = slot;
      index.postings[id] = next;
      const occurrences = grown(index.occurrences[id], used + 1);
      occurrences[used] = 1;
      index.occurrences[id] = occurrences;
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
  const bytes = Buffer.from(name, 'hex');
  index.nameBytes.set(bytes, slot * NAME_BYTES);
  index.nameKey[slot] = bytes.readUIntBE(0, 6);
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

// Per-slot positions of a symbol (see CandidateIndex.positions), built from its posting list.
function positionsOf(index: CandidateIndex, id: number): Uint8Array {
  let at = index.positions.get(id);
  if (!at) {
    at = new Uint8Array(index.size + 1);
    const list = index.postings[id];
    const occurrences = index.occurrences[id];
    for (let i = 0, n = index.postingLengths[id]; i < n; i++) {
      const slot = list[i];
      if (occurrences[i] !== 1) {
        at[slot] = 255;
        continue;
      }
      const start = index.tokenStart[slot];
      let p = 0;
      while (index.tokens[start + p] !== id) p++;
      at[slot] = Math.min(255, p + 1);
    }
    index.positions.set(id, at);
  }
  return at;
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

/** A remembered score with the signature it belongs to. */
interface RememberedScore extends Score {
  structure: number;
  /** The shape id, or −1 − length when only the length matters (single-symbol events). */
  shape: number;
  distinct: number;
  rows: Int32Array;
}

// Scores are a pure function of the signature, the state's length and equality structure and
// the settings, so they are remembered across queries, up to this many.
const SCORE_MEMO_LIMIT = 200_000;

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
  if (structure === undefined) index.structures.set(structureKey, (structure = index.structures.size));
  try {
    return selectWithMasks(index, ctx, limit, stateIds, structure);
  } finally {
    for (const id of stateIds) index.stateMask[id] = 0;
  }
}

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
  const groups = new Groups();
  let entrySlots = new Int32Array(1024);
  let entryGroups = new Int32Array(1024);
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
      entrySlots = grown(entrySlots, entries + 1);
      entryGroups = grown(entryGroups, entries + 1);
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
