/**
 * An in-memory symbol → pattern index of a node: patterns as interned symbol ids, posting lists
 * with occurrence counts, and on-demand bitsets and pair holders for long posting lists.
 */
import { ScoreMemo } from './score-memo.js';
import { ValidationError } from '../../errors.js';
import type { Event } from '../types.js';

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
  /** Per symbol id, parallel to `postings`: 1 + its first position in the flattened pattern (at most 255). */
  firstPositions: Uint8Array[];
  /** Per symbol id, parallel to `postings`: 1 + its last position in the flattened pattern (at most 255). */
  lastPositions: Uint8Array[];
  /** Per symbol id, parallel to `postings`: the symbol id after its first occurrence in that pattern, −1 at the end. */
  nextTokens: Int32Array[];
  /** Per symbol id, parallel to `postings`: the symbol id before its first occurrence in that pattern, −1 at the start. */
  previousTokens: Int32Array[];
  /** Number of patterns. */
  size: number;
  /** Slots below this are numbered in name order (see `renumberByName`). */
  sortedCount: number;
  /** How many times the slots were renumbered (a slot means the same pattern while this holds). */
  renumbered: number;
  /** Per slot: first position in `tokens` (slot `size` holds the end). */
  tokenStart: Int32Array;
  tokens: Int32Array;
  /** Per slot: its number of symbols, 255 for 255 or more (then read `tokenStart`). */
  lengthOf: Uint8Array;
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
  /** Bitsets of the patterns holding a symbol at least k times (k ≥ 2), built on demand (see `repeatsOf`). */
  repeats: Map<number, Uint32Array>;
  /** Bitsets of the patterns whose flattened first (last) symbol is a given one, built on demand. */
  starts: Map<number, Uint32Array>;
  ends: Map<number, Uint32Array>;
  /**
   * Per pair of symbols (key `pairKey(a, b)`), the patterns whose flattened events hold a
   * immediately followed by b, in slot order, copied for reading in sequence; built on demand
   * for pairs of long-list symbols.
   */
  pairs: Map<number, PairHolders>;
  /** Int32 words held by `pairs`. */
  pairWords: number;
  /**
   * Posting lists at least this long (and half as long as the index has 32-slot words) are read
   * through bitsets kept from query to query; shorter ones entry by entry.
   */
  bitsetMinimum: number;
  /** Pairs with at least this many holders are also read through bitsets (see `pairBits`). */
  pairBitsMinimum: number;
  /** Scores of signatures by query structure, remembered across queries (see `selectCandidates`). */
  scores: ScoreMemo;
  structures: Map<string, number>;
  /** Per-query scratch: state-position masks per symbol id. */
  stateMask: Int32Array;
}

/**
 * The patterns holding a symbol pair (a, b) (see CandidateIndex.pairs): `count` records in
 * `data[0 .. words)`, each `slot, length, distinct, symbol ids…`, and each name key in `keys`.
 * Built on demand and kept up to date from then on: `bits`, their membership bitset, and
 * `pulls[0 .. pullCount)`, the slots of those holding a right before an occurrence of the pair.
 */
export interface PairHolders {
  a: number;
  b: number;
  data: Int32Array;
  words: number;
  keys: Float64Array;
  count: number;
  bits: Uint32Array | null;
  pulls: Int32Array | null;
  pullCount: number;
}

function emptyPair(a: number, b: number): PairHolders {
  return { a, b, data: new Int32Array(64), words: 0, keys: new Float64Array(8), count: 0, bits: null, pulls: null, pullCount: 0 };
}

const NAME_BYTES = 20;
// Posting lists shorter than this are read entry by entry; longer ones may use bitsets.
const BITSET_MINIMUM = 2048;
// Pairs with fewer holders than this are read holder by holder; the others also by bitsets.
const PAIR_BITS_MINIMUM = 4096;

/**
 * An empty index (`bitsetMinimum` and `pairBitsMinimum` tune when long posting lists and pairs
 * with many holders switch to bitsets).
 */
export function createCandidateIndex(options: { bitsetMinimum?: number; pairBitsMinimum?: number } = {}): CandidateIndex {
  return {
    bitsetMinimum: options.bitsetMinimum ?? BITSET_MINIMUM,
    pairBitsMinimum: options.pairBitsMinimum ?? PAIR_BITS_MINIMUM,
    symbolIds: new Map(),
    symbols: [],
    postings: [],
    postingLengths: [],
    occurrences: [],
    firstPositions: [],
    lastPositions: [],
    nextTokens: [],
    previousTokens: [],
    size: 0,
    sortedCount: 0,
    renumbered: 0,
    tokenStart: new Int32Array(1025),
    tokens: new Int32Array(8192),
    lengthOf: new Uint8Array(1024),
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
    repeats: new Map(),
    starts: new Map(),
    ends: new Map(),
    pairs: new Map(),
    pairWords: 0,
    scores: new ScoreMemo(),
    structures: new Map(),
    stateMask: new Int32Array(1024),
  };
}

export function grown<T extends Int32Array | Float64Array | Uint8Array | Uint32Array>(array: T, needed: number): T {
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
    index.firstPositions.push(new Uint8Array(4));
    index.lastPositions.push(new Uint8Array(4));
    index.nextTokens.push(new Int32Array(4));
    index.previousTokens.push(new Int32Array(4));
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
  index.lengthOf = grown(index.lengthOf, slot + 1);
  index.distinctOf = grown(index.distinctOf, slot + 1);
  index.nameKey = grown(index.nameKey, slot + 1);
  index.nameBytes = grown(index.nameBytes, (slot + 1) * NAME_BYTES);

  let p = start;
  let distinct = 0;
  // The posting (symbol id, entry) whose next token is the next one read.
  let before = -1;
  let beforeAt = 0;
  for (const event of events) {
    if (event.length > index.maxEventLength) index.maxEventLength = event.length;
    for (const symbol of event) {
      const id = internSymbol(index, symbol);
      index.tokens[p++] = id;
      if (before >= 0) index.nextTokens[before][beforeAt] = id;
      before = -1;
      const list = index.postings[id];
      const used = index.postingLengths[id];
      // A symbol repeated in the pattern is posted once, with its number of occurrences.
      if (used > 0 && list[used - 1] === slot) {
        const occurrences = index.occurrences[id];
        if (occurrences[used - 1] < 255) occurrences[used - 1]++;
        index.lastPositions[id][used - 1] = Math.min(255, p - start);
        const repeats = index.repeats.get(repeatKey(id, occurrences[used - 1]));
        if (repeats) {
          const sized = grown(repeats, (slot >>> 5) + 1);
          sized[slot >>> 5] |= 1 << (slot & 31);
          index.repeats.set(repeatKey(id, occurrences[used - 1]), sized);
        }
        continue;
      }
      distinct++;
      const next = grown(list, used + 1);
      next[used] = slot;
      index.postings[id] = next;
      const occurrences = grown(index.occurrences[id], used + 1);
      occurrences[used] = 1;
      index.occurrences[id] = occurrences;
      const firstPositions = grown(index.firstPositions[id], used + 1);
      firstPositions[used] = Math.min(255, p - start);
      index.firstPositions[id] = firstPositions;
      const lastPositions = grown(index.lastPositions[id], used + 1);
      lastPositions[used] = firstPositions[used];
      index.lastPositions[id] = lastPositions;
      const nextTokens = grown(index.nextTokens[id], used + 1);
      nextTokens[used] = -1;
      index.nextTokens[id] = nextTokens;
      const previousTokens = grown(index.previousTokens[id], used + 1);
      previousTokens[used] = p - 1 > start ? index.tokens[p - 2] : -1;
      index.previousTokens[id] = previousTokens;
      before = id;
      beforeAt = used;
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
  if (length > 0) {
    markSlot(index.starts, index.tokens[start], slot);
    markSlot(index.ends, index.tokens[p - 1], slot);
  }
  index.lengthOf[slot] = Math.min(255, length);
  index.shapeOf[slot] = internShape(index, events);
  index.distinctOf[slot] = distinct;
  const bytes = Buffer.from(name, 'hex');
  index.nameBytes.set(bytes, slot * NAME_BYTES);
  index.nameKey[slot] = bytes.readUIntBE(0, 6);
  if (index.pairs.size > 0) {
    let last: PairHolders | undefined;
    for (let q = start; q + 1 < p; q++) {
      const pair = index.pairs.get(pairKey(index.tokens[q], index.tokens[q + 1]));
      // A pattern holding the pair twice is recorded once.
      if (pair && pair !== last && (pair.count === 0 || pair.data[pair.words - pair.data[pair.words - 1] - 4] !== slot)) {
        appendHolder(index, pair, slot);
      }
      last = pair;
    }
  }
  if (length < index.minLength) index.minLength = length;
  if (length > index.maxLength) index.maxLength = length;
  index.size = slot + 1;
}

// Sets the bit of `slot` in the cached bitset of symbol `id`, if there is one.
function markSlot(cache: Map<number, Uint32Array>, id: number, slot: number): void {
  const bits = cache.get(id);
  if (bits) {
    const sized = grown(bits, (slot >>> 5) + 1);
    sized[slot >>> 5] |= 1 << (slot & 31);
    cache.set(id, sized);
  }
}

// Bitsets (size/8 bytes each) are caches rebuilt on demand; this cap bounds their memory, the
// oldest going first.
const MAX_BITSETS = 256;
// Pair holders are copies of the patterns holding a bigram: bounded in number and in words.
const MAX_PAIRS = 4096;
const MAX_PAIR_WORDS = 24_000_000;

/** The key of a symbol pair in CandidateIndex.pairs. */
export function pairKey(a: number, b: number): number {
  return a * 0x4000000 + b;
}

function remember<T>(cache: Map<number, T>, id: number, value: T, limit: number): void {
  if (cache.size >= limit) cache.delete(cache.keys().next().value!);
  cache.set(id, value);
}

// A cache hit moves the entry to the young end, so the entries in use are evicted last.
function recall<T>(cache: Map<number, T>, id: number): T | undefined {
  const value = cache.get(id);
  if (value !== undefined) {
    cache.delete(id);
    cache.set(id, value);
  }
  return value;
}

// Appends the record of `slot` to a pair's holders.
function appendHolder(index: CandidateIndex, pair: PairHolders, slot: number): void {
  const start = index.tokenStart[slot];
  const length = index.tokenStart[slot + 1] - start;
  pair.data = grown(pair.data, pair.words + length + 4);
  pair.data[pair.words] = slot;
  pair.data[pair.words + 1] = length;
  pair.data[pair.words + 2] = index.distinctOf[slot];
  pair.data.set(index.tokens.subarray(start, start + length), pair.words + 3);
  // The record's length closes it, so the last record can be found from the end.
  pair.data[pair.words + 3 + length] = length;
  pair.words += length + 4;
  index.pairWords += length + 4;
  pair.keys = grown(pair.keys, pair.count + 1);
  pair.keys[pair.count++] = index.nameKey[slot];
  if (pair.bits !== null) {
    const before = pair.bits.length;
    pair.bits = grown(pair.bits, (slot >>> 5) + 1);
    index.pairWords += pair.bits.length - before;
    pair.bits[slot >>> 5] |= 1 << (slot & 31);
  }
  if (pair.pulls !== null && holdsPulled(index.tokens, start, start + length, pair.a, pair.b)) {
    const before = pair.pulls.length;
    pair.pulls = grown(pair.pulls, pair.pullCount + 1);
    index.pairWords += pair.pulls.length - before;
    pair.pulls[pair.pullCount++] = slot;
  }
}

// The Int32 words a pair's holders take (counted in CandidateIndex.pairWords).
function pairSize(pair: PairHolders): number {
  return pair.words + (pair.bits?.length ?? 0) + (pair.pulls?.length ?? 0);
}

// Whether tokens[from .. to) hold a, a, b in a row.
function holdsPulled(tokens: Int32Array, from: number, to: number, a: number, b: number): boolean {
  for (let q = from + 1; q + 1 < to; q++) if (tokens[q + 1] === b && tokens[q] === a && tokens[q - 1] === a) return true;
  return false;
}

/** The membership bitset of a pair's holders (kept up to date once built). */
export function pairBits(index: CandidateIndex, pair: PairHolders): Uint32Array {
  if (pair.bits === null) {
    const bits = new Uint32Array((index.size >>> 5) + 1);
    for (let i = 0, at = 0, data = pair.data; i < pair.count; i++, at += data[at + 1] + 4) bits[data[at] >>> 5] |= 1 << (data[at] & 31);
    pair.bits = bits;
    index.pairWords += bits.length;
  }
  return pair.bits;
}

/**
 * The slots of a pair's holders that hold a right before an occurrence of (a, b) — a, a, b in a
 * row — in slot order (kept up to date once built).
 */
export function pairPulls(index: CandidateIndex, pair: PairHolders): { slots: Int32Array; count: number } {
  if (pair.pulls === null) {
    let pulls = new Int32Array(16);
    let count = 0;
    const { data } = pair;
    for (let i = 0, at = 0; i < pair.count; i++, at += data[at + 1] + 4) {
      if (!holdsPulled(data, at + 3, at + 3 + data[at + 1], pair.a, pair.b)) continue;
      pulls = grown(pulls, count + 1);
      pulls[count++] = data[at];
    }
    pair.pulls = pulls;
    pair.pullCount = count;
    index.pairWords += pulls.length;
  }
  return { slots: pair.pulls, count: pair.pullCount };
}

/** The patterns whose flattened events hold symbol `a` immediately followed by `b` (kept up to date once built). */
export function pairHolders(index: CandidateIndex, a: number, b: number): PairHolders {
  const key = pairKey(a, b);
  let pair = recall(index.pairs, key);
  if (!pair) {
    // The slots of the shorter posting list whose token after a (before b) is b (a), read in
    // sequence from the list. A pattern holding that symbol repeatedly is read itself.
    pair = emptyPair(a, b);
    const { tokens, tokenStart } = index;
    const holds = (slot: number) => {
      for (let q = tokenStart[slot], end = tokenStart[slot + 1] - 1; q < end; q++) {
        if (tokens[q] === a && tokens[q + 1] === b) return true;
      }
      return false;
    };
    const usedA = index.postingLengths[a];
    const usedB = index.postingLengths[b];
    if (a !== b && usedB < usedA) {
      const list = index.postings[b];
      const occurrences = index.occurrences[b];
      const previous = index.previousTokens[b];
      for (let i = 0; i < usedB; i++) {
        if (occurrences[i] > 1 ? holds(list[i]) : previous[i] === a) appendHolder(index, pair, list[i]);
      }
    } else {
      const list = index.postings[a];
      const occurrences = index.occurrences[a];
      const next = index.nextTokens[a];
      for (let i = 0; i < usedA; i++) {
        if (occurrences[i] > 1 ? holds(list[i]) : a !== b && next[i] === b) appendHolder(index, pair, list[i]);
      }
    }
    if (index.pairs.size >= MAX_PAIRS || index.pairWords > MAX_PAIR_WORDS) {
      for (const [oldest, held] of index.pairs) {
        index.pairs.delete(oldest);
        index.pairWords -= pairSize(held);
        if (index.pairs.size < MAX_PAIRS && index.pairWords <= MAX_PAIR_WORDS) break;
      }
    }
    index.pairs.set(key, pair);
  }
  return pair;
}

// How many of the most common symbols have the holders of every pair of them built ahead.
const COMMON_SYMBOLS = 32;

/**
 * Builds ahead what a selection would otherwise build on a query's time: the bitsets of the
 * symbols with the longest posting lists, and the holders of every pair of the most common ones
 * (one pass over the patterns), with the bitsets and pull-backs of those with many. Called once the index is laid out in name order; the lists are
 * kept up to date as patterns are added.
 */
export function buildCommonLookups(index: CandidateIndex): void {
  const long: number[] = [];
  for (let id = 0; id < index.symbols.length; id++) if (index.postingLengths[id] >= index.bitsetMinimum) long.push(id);
  long.sort((a, b) => index.postingLengths[b] - index.postingLengths[a] || a - b);
  for (const id of long.slice(0, MAX_BITSETS)) bitset(index, id);
  const common = long.slice(0, COMMON_SYMBOLS);
  for (const id of common) repeatsOf(index, id);
  if (common.length === 0) return;
  const isCommon = new Uint8Array(index.symbols.length);
  for (const id of common) isCommon[id] = 1;
  for (const a of common) {
    for (const b of common) {
      const key = pairKey(a, b);
      if (!index.pairs.has(key)) index.pairs.set(key, emptyPair(a, b));
    }
  }
  const { tokens, tokenStart } = index;
  for (let slot = 0; slot < index.size; slot++) {
    for (let q = tokenStart[slot], end = tokenStart[slot + 1] - 1; q < end; q++) {
      const a = tokens[q];
      const b = tokens[q + 1];
      if (isCommon[a] === 0 || isCommon[b] === 0) continue;
      const pair = index.pairs.get(pairKey(a, b))!;
      // A pattern holding the pair twice is recorded once.
      if (pair.count > 0 && pair.data[pair.words - pair.data[pair.words - 1] - 4] === slot) continue;
      appendHolder(index, pair, slot);
    }
  }
  for (const a of common) {
    for (const b of common) {
      const pair = index.pairs.get(pairKey(a, b))!;
      if (pair.count < index.pairBitsMinimum) continue;
      pairBits(index, pair);
      pairPulls(index, pair);
    }
  }
}

// The key of the patterns holding a symbol `times` times or more in CandidateIndex.repeats (a
// count of 32 or more is never looked up: states hold at most 30 symbols).
function repeatKey(id: number, times: number): number {
  return times < 32 ? id * 32 + times : -1;
}

/**
 * The bitset of the patterns holding symbol `id` at least `times` times (2 to 31; kept up to date
 * once built).
 */
export function repeatsOf(index: CandidateIndex, id: number, times = 2): Uint32Array {
  const key = repeatKey(id, times);
  let bits = recall(index.repeats, key);
  if (!bits) {
    bits = new Uint32Array((index.size >>> 5) + 1);
    const list = index.postings[id];
    const occurrences = index.occurrences[id];
    for (let i = 0, n = index.postingLengths[id]; i < n; i++) {
      if (occurrences[i] >= times) bits[list[i] >>> 5] |= 1 << (list[i] & 31);
    }
    remember(index.repeats, key, bits, MAX_BITSETS);
  }
  return bits;
}

/** The bitset of the patterns whose first symbol (flattened) is symbol `id` (kept up to date once built). */
export function startsOf(index: CandidateIndex, id: number): Uint32Array {
  let bits = recall(index.starts, id);
  if (!bits) {
    bits = new Uint32Array((index.size >>> 5) + 1);
    const list = index.postings[id];
    const first = index.firstPositions[id];
    for (let i = 0, n = index.postingLengths[id]; i < n; i++) if (first[i] === 1) bits[list[i] >>> 5] |= 1 << (list[i] & 31);
    remember(index.starts, id, bits, MAX_BITSETS);
  }
  return bits;
}

/** The bitset of the patterns whose last symbol (flattened) is symbol `id` (kept up to date once built). */
export function endsOf(index: CandidateIndex, id: number): Uint32Array {
  let bits = recall(index.ends, id);
  if (!bits) {
    bits = new Uint32Array((index.size >>> 5) + 1);
    const list = index.postings[id];
    const last = index.lastPositions[id];
    const { tokens, tokenStart, lengthOf } = index;
    for (let i = 0, n = index.postingLengths[id]; i < n; i++) {
      const slot = list[i];
      // Positions and lengths past 254 are noted as 255: then read the token.
      const length = lengthOf[slot];
      if (length < 255 ? last[i] === length : tokens[tokenStart[slot + 1] - 1] === id) bits[slot >>> 5] |= 1 << (slot & 31);
    }
    remember(index.ends, id, bits, MAX_BITSETS);
  }
  return bits;
}

/** The membership bitset of a symbol's posting list (kept up to date once built). */
export function bitset(index: CandidateIndex, id: number): Uint32Array {
  let bits = recall(index.bitsets, id);
  if (!bits) {
    bits = new Uint32Array((index.size >>> 5) + 1);
    const list = index.postings[id];
    for (let i = 0, n = index.postingLengths[id]; i < n; i++) bits[list[i] >>> 5] |= 1 << (list[i] & 31);
    remember(index.bitsets, id, bits, MAX_BITSETS);
  }
  return bits;
}

/** The name of a slot as bare hex. */
export function slotName(index: CandidateIndex, slot: number): string {
  // The hex digits are written into one buffer and read as a single string.
  const bytes = index.nameBytes;
  for (let b = 0, at = slot * NAME_BYTES; b < NAME_BYTES; b++, at++) {
    hexDigits[2 * b] = HEX[bytes[at] >>> 4];
    hexDigits[2 * b + 1] = HEX[bytes[at] & 15];
  }
  return hexDigits.toString('latin1', 0, 2 * NAME_BYTES);
}

const HEX = Buffer.from('0123456789abcdef', 'latin1');
const hexDigits = Buffer.alloc(2 * NAME_BYTES);

/** The events of a slot, rebuilt from its shape and symbol ids. */
export function slotEvents(index: CandidateIndex, slot: number): Event[] {
  let p = index.tokenStart[slot];
  const shape = index.shapes[index.shapeOf[slot]];
  // Arrays of their exact sizes: an array grown by push reserves room for 17 elements.
  const events: Event[] = new Array(shape.length);
  for (let e = 0; e < shape.length; e++) {
    const n = shape[e];
    const event: string[] = n === 1 ? [index.symbols[index.tokens[p++]]] : new Array(n);
    if (n !== 1) for (let k = 0; k < n; k++) event[k] = index.symbols[index.tokens[p++]];
    events[e] = event;
  }
  return events;
}

/** Orders two slots by name. */
export function compareNames(index: CandidateIndex, a: number, b: number): number {
  if (a < index.sortedCount && b < index.sortedCount) return a - b;
  const ka = index.nameKey[a];
  const kb = index.nameKey[b];
  if (ka !== kb) return ka < kb ? -1 : 1;
  for (let i = 0; i < NAME_BYTES; i++) {
    const d = index.nameBytes[a * NAME_BYTES + i] - index.nameBytes[b * NAME_BYTES + i];
    if (d !== 0) return d;
  }
  return 0;
}

// Slots in name order: a radix sort on the 48-bit name keys (16 bits a pass), then equal keys
// ordered by their whole names.
function nameOrder(index: CandidateIndex): Int32Array {
  const n = index.size;
  let order = new Int32Array(n);
  let next = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const counts = new Int32Array(65537);
  for (let pass = 0; pass < 3; pass++) {
    const divisor = 2 ** (16 * pass);
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(Math.floor(index.nameKey[i] / divisor) % 65536) + 1]++;
    for (let d = 0; d < 65536; d++) counts[d + 1] += counts[d];
    for (let i = 0; i < n; i++) {
      const slot = order[i];
      next[counts[Math.floor(index.nameKey[slot] / divisor) % 65536]++] = slot;
    }
    [order, next] = [next, order];
  }
  for (let i = 1; i < n; i++) {
    // Insertion sort of each run of equal keys (rare: 48 equal leading bits).
    for (let j = i; j > 0 && index.nameKey[order[j]] === index.nameKey[order[j - 1]] && compareNames(index, order[j - 1], order[j]) > 0; j--) {
      [order[j], order[j - 1]] = [order[j - 1], order[j]];
    }
  }
  return order;
}

/**
 * Renumbers the index's slots in name order, so that comparing two names is comparing two slots;
 * patterns added later are numbered after them. Returns the new slot of each old slot. The
 * caches of bitsets, repeats, starts, ends and pair holders are dropped.
 */
export function renumberByName(index: CandidateIndex): Int32Array {
  const n = index.size;
  const order = nameOrder(index);
  const slotOf = new Int32Array(n);
  for (let i = 0; i < n; i++) slotOf[order[i]] = i;
  const tokens = new Int32Array(index.tokenStart[n]);
  const tokenStart = new Int32Array(n + 1);
  const shapeOf = new Int32Array(n);
  const lengthOf = new Uint8Array(n);
  const distinctOf = new Int32Array(n);
  const nameKey = new Float64Array(n);
  const nameBytes = new Uint8Array(n * NAME_BYTES);
  const symbolCount = index.symbols.length;
  const postings = Array.from({ length: symbolCount }, (_, id) => new Int32Array(Math.max(1, index.postingLengths[id])));
  const occurrences = Array.from({ length: symbolCount }, (_, id) => new Uint8Array(Math.max(1, index.postingLengths[id])));
  const firstPositions = Array.from({ length: symbolCount }, (_, id) => new Uint8Array(Math.max(1, index.postingLengths[id])));
  const lastPositions = Array.from({ length: symbolCount }, (_, id) => new Uint8Array(Math.max(1, index.postingLengths[id])));
  const nextTokens = Array.from({ length: symbolCount }, (_, id) => new Int32Array(Math.max(1, index.postingLengths[id])));
  const previousTokens = Array.from({ length: symbolCount }, (_, id) => new Int32Array(Math.max(1, index.postingLengths[id])));
  const used = new Int32Array(symbolCount);
  let p = 0;
  for (let slot = 0; slot < n; slot++) {
    const old = order[slot];
    const from = index.tokenStart[old];
    const to = index.tokenStart[old + 1];
    tokenStart[slot] = p;
    for (let q = from; q < to; q++) {
      const id = index.tokens[q];
      tokens[p++] = id;
      const k = used[id];
      if (k > 0 && postings[id][k - 1] === slot) {
        if (occurrences[id][k - 1] < 255) occurrences[id][k - 1]++;
        lastPositions[id][k - 1] = Math.min(255, p - tokenStart[slot]);
        continue;
      }
      postings[id][k] = slot;
      occurrences[id][k] = 1;
      firstPositions[id][k] = Math.min(255, p - tokenStart[slot]);
      lastPositions[id][k] = firstPositions[id][k];
      nextTokens[id][k] = q + 1 < to ? index.tokens[q + 1] : -1;
      previousTokens[id][k] = q > from ? index.tokens[q - 1] : -1;
      used[id] = k + 1;
    }
    shapeOf[slot] = index.shapeOf[old];
    lengthOf[slot] = index.lengthOf[old];
    distinctOf[slot] = index.distinctOf[old];
    nameKey[slot] = index.nameKey[old];
    nameBytes.set(index.nameBytes.subarray(old * NAME_BYTES, (old + 1) * NAME_BYTES), slot * NAME_BYTES);
  }
  tokenStart[n] = p;
  Object.assign(index, {
    tokens,
    tokenStart,
    shapeOf,
    lengthOf,
    distinctOf,
    nameKey,
    nameBytes,
    postings,
    occurrences,
    firstPositions,
    lastPositions,
    nextTokens,
    previousTokens,
  });
  index.sortedCount = n;
  index.renumbered++;
  index.bitsets.clear();
  index.repeats.clear();
  index.starts.clear();
  index.ends.clear();
  index.pairs.clear();
  index.pairWords = 0;
  return slotOf;
}
