/**
 * An in-memory symbol → pattern index of a node: patterns as interned symbol ids, posting lists
 * with occurrence counts, and on-demand bitsets and position arrays for long posting lists.
 */
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

/** How a signature scores under one query's settings. */
export interface Score {
  passes: boolean;
  pre: number;
  similarity: number;
}

/** A remembered score with the signature it belongs to. */
export interface RememberedScore extends Score {
  structure: number;
  /** The shape id, or −1 − length when only the length matters (single-symbol events). */
  shape: number;
  distinct: number;
  rows: Int32Array;
}

const NAME_BYTES = 20;
// Posting lists shorter than this are scored candidate by candidate; longer ones use bitsets.
const BITSET_MINIMUM = 2048;

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

// Bitsets (size/8 bytes each) and position arrays (size bytes each) are caches rebuilt on
// demand; these caps bound their memory, the oldest going first.
const MAX_BITSETS = 256;
const MAX_POSITION_ARRAYS = 32;

function remember<T>(cache: Map<number, T>, id: number, value: T, limit: number): void {
  if (cache.size >= limit) cache.delete(cache.keys().next().value!);
  cache.set(id, value);
}

/** The membership bitset of a symbol's posting list (kept up to date once built). */
export function bitset(index: CandidateIndex, id: number): Uint32Array {
  let bits = index.bitsets.get(id);
  if (!bits) {
    bits = new Uint32Array((index.size >>> 5) + 1);
    const list = index.postings[id];
    for (let i = 0, n = index.postingLengths[id]; i < n; i++) bits[list[i] >>> 5] |= 1 << (list[i] & 31);
    remember(index.bitsets, id, bits, MAX_BITSETS);
  }
  return bits;
}

/** Per-slot positions of a symbol (see CandidateIndex.positions), built from its posting list. */
export function positionsOf(index: CandidateIndex, id: number): Uint8Array {
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
    remember(index.positions, id, at, MAX_POSITION_ARRAYS);
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

/** Orders two slots by name. */
export function compareNames(index: CandidateIndex, a: number, b: number): number {
  const ka = index.nameKey[a];
  const kb = index.nameKey[b];
  if (ka !== kb) return ka < kb ? -1 : 1;
  for (let i = 0; i < NAME_BYTES; i++) {
    const d = index.nameBytes[a * NAME_BYTES + i] - index.nameBytes[b * NAME_BYTES + i];
    if (d !== 0) return d;
  }
  return 0;
}
