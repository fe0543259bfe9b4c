/**
 * Scores of signatures remembered across queries: an open-addressing table in typed arrays, so
 * that remembering a score allocates nothing that lives on, and finding one reads a few words.
 */
import type { RowScore } from './row-score.js';

/** A signature: the query structure it is scored under, its shape, distinct count and rows. */
export interface Signature {
  structure: number;
  shape: number;
  distinct: number;
  rows: Int32Array;
  from: number;
  width: number;
}

export class ScoreMemo {
  /** Entries held before the table starts over. */
  static readonly LIMIT = 200_000;
  count = 0;
  pre: Float64Array;
  similarity: Float64Array;
  passes: Uint8Array;
  private mask: number;
  private used: Uint8Array;
  private hashes: Int32Array;
  private structures: Int32Array;
  private shapes: Int32Array;
  private distincts: Int32Array;
  private widths: Int32Array;
  private rowsAt: Int32Array;
  private pool = new Int32Array(4096);
  private poolUsed = 0;

  constructor(capacity = 1024) {
    this.mask = capacity - 1;
    this.used = new Uint8Array(capacity);
    this.hashes = new Int32Array(capacity);
    this.structures = new Int32Array(capacity);
    this.shapes = new Int32Array(capacity);
    this.distincts = new Int32Array(capacity);
    this.widths = new Int32Array(capacity);
    this.rowsAt = new Int32Array(capacity);
    this.pre = new Float64Array(capacity);
    this.similarity = new Float64Array(capacity);
    this.passes = new Uint8Array(capacity);
  }

  /** The entry holding the signature with this hash, or −1. */
  find(hash: number, s: Signature): number {
    const { used, hashes, structures, shapes, distincts, widths, rowsAt, pool } = this;
    for (let t = hash & this.mask; used[t] !== 0; t = (t + 1) & this.mask) {
      if (hashes[t] !== hash || structures[t] !== s.structure || shapes[t] !== s.shape || distincts[t] !== s.distinct || widths[t] !== s.width) continue;
      const at = rowsAt[t];
      let p = 0;
      while (p < s.width && pool[at + p] === s.rows[s.from + p]) p++;
      if (p === s.width) return t;
    }
    return -1;
  }

  /** Remembers the score of a signature not held yet; returns its entry. */
  add(hash: number, s: Signature, score: RowScore): number {
    if (this.count >= ScoreMemo.LIMIT) this.clear();
    if (2 * (this.count + 1) > this.mask + 1) this.grow();
    if (this.poolUsed + s.width > this.pool.length) {
      const pool = new Int32Array(Math.max(2 * this.pool.length, this.poolUsed + s.width));
      pool.set(this.pool.subarray(0, this.poolUsed));
      this.pool = pool;
    }
    let t = hash & this.mask;
    while (this.used[t] !== 0) t = (t + 1) & this.mask;
    this.used[t] = 1;
    this.hashes[t] = hash;
    this.structures[t] = s.structure;
    this.shapes[t] = s.shape;
    this.distincts[t] = s.distinct;
    this.widths[t] = s.width;
    this.rowsAt[t] = this.poolUsed;
    this.pool.set(s.rows.subarray(s.from, s.from + s.width), this.poolUsed);
    this.poolUsed += s.width;
    this.pre[t] = score.pre;
    this.similarity[t] = score.similarity;
    this.passes[t] = score.passes ? 1 : 0;
    this.count++;
    return t;
  }

  /** Forgets every entry (the table keeps its size). */
  clear(): void {
    this.used.fill(0);
    this.count = 0;
    this.poolUsed = 0;
  }

  // Doubles the table, moving every entry to its place in the larger one.
  private grow(): void {
    const old = {
      used: this.used,
      hashes: this.hashes,
      structures: this.structures,
      shapes: this.shapes,
      distincts: this.distincts,
      widths: this.widths,
      rowsAt: this.rowsAt,
      pre: this.pre,
      similarity: this.similarity,
      passes: this.passes,
    };
    const capacity = 2 * (this.mask + 1);
    this.mask = capacity - 1;
    this.used = new Uint8Array(capacity);
    this.hashes = new Int32Array(capacity);
    this.structures = new Int32Array(capacity);
    this.shapes = new Int32Array(capacity);
    this.distincts = new Int32Array(capacity);
    this.widths = new Int32Array(capacity);
    this.rowsAt = new Int32Array(capacity);
    this.pre = new Float64Array(capacity);
    this.similarity = new Float64Array(capacity);
    this.passes = new Uint8Array(capacity);
    for (let f = 0; f < old.used.length; f++) {
      if (old.used[f] === 0) continue;
      let t = old.hashes[f] & this.mask;
      while (this.used[t] !== 0) t = (t + 1) & this.mask;
      this.used[t] = 1;
      this.hashes[t] = old.hashes[f];
      this.structures[t] = old.structures[f];
      this.shapes[t] = old.shapes[f];
      this.distincts[t] = old.distincts[f];
      this.widths[t] = old.widths[f];
      this.rowsAt[t] = old.rowsAt[f];
      this.pre[t] = old.pre[f];
      this.similarity[t] = old.similarity[f];
      this.passes[t] = old.passes[f];
    }
  }
}
