/**
 * KATO's alignment: its copy of difflib's SequenceMatcher without junk handling (server spec
 * Appendix C) — longest matching blocks, their tie rules, the LIFO queue and block merging.
 *
 * The tokens of `b` are numbered once; a first sequence is matched as ids (−1 for a token absent
 * from `b`), so the alignment compares integers. Equal ids are equal tokens, so the blocks are
 * those of the tokens themselves.
 */

/** `a[i .. i+size)` equals `b[j .. j+size)`. */
export interface MatchingBlock {
  i: number;
  j: number;
  size: number;
}

/** A matcher with its second sequence `b` fixed, reusable over many first sequences. */
export interface SequenceMatcher {
  readonly b: readonly string[];
  /** The distinct tokens of `b`, numbered in first-appearance order. */
  readonly ids: ReadonlyMap<string, number>;
  /** `b` as ids. */
  readonly bIds: Int32Array;
  /** `a` as ids: the id of each token in `b`, −1 for tokens absent from `b`. */
  idsOf(a: readonly string[]): Int32Array;
  /** Matching blocks of `a` against `b`, merged, ordered by position, without the sentinel. */
  blocks(a: readonly string[]): MatchingBlock[];
  /**
   * Matching blocks of `a[lo..hi)` (as ids, see `idsOf`) against `b`, merged, ordered by
   * position, with `i` counted from the start of `a`.
   */
  blocksOfIds(a: ArrayLike<number>, lo: number, hi: number): MatchingBlock[];
  /** The total size of `blocksOfIds(a, lo, hi)`, without building the blocks. */
  matchedCount(a: ArrayLike<number>, lo: number, hi: number): number;
  /** The longest matching block of `a[alo..ahi)` and `b[blo..bhi)` (size 0 when none). */
  longestMatch(a: readonly string[], alo: number, ahi: number, blo: number, bhi: number): MatchingBlock;
}

/** Builds a matcher for `b`: token id → ascending positions in `b`, plus scratch rows. */
export function sequenceMatcher(b: readonly string[]): SequenceMatcher {
  const ids = new Map<string, number>();
  const positionsOf: number[][] = [];
  const bIds = new Int32Array(b.length);
  b.forEach((token, j) => {
    let id = ids.get(token);
    if (id === undefined) {
      id = positionsOf.length;
      ids.set(token, id);
      positionsOf.push([]);
    }
    positionsOf[id].push(j);
    bIds[j] = id;
  });
  // difflib keeps the previous row's run lengths in a dict; two tagged rows give the same
  // "absent means 0" lookups without allocating per row.
  let prevLen = new Int32Array(b.length);
  let prevTag = new Int32Array(b.length).fill(-1);
  let curLen = new Int32Array(b.length);
  let curTag = new Int32Array(b.length).fill(-1);
  let row = 0;
  // The last longest match.
  let bestI = 0;
  let bestJ = 0;
  let bestSize = 0;
  let queue = new Int32Array(64);

  function longest(a: ArrayLike<number>, alo: number, ahi: number, blo: number, bhi: number): void {
    bestI = alo;
    bestJ = blo;
    bestSize = 0;
    const rowBefore = ++row;
    for (let i = alo; i < ahi; i++) {
      const tag = ++row;
      const id = a[i];
      if (id >= 0) {
        const positions = positionsOf[id];
        for (let p = 0; p < positions.length; p++) {
          const j = positions[p];
          if (j < blo) continue;
          if (j >= bhi) break;
          const k = (j > 0 && prevTag[j - 1] === tag - 1 && tag - 1 > rowBefore ? prevLen[j - 1] : 0) + 1;
          curLen[j] = k;
          curTag[j] = tag;
          // Strict >: the earliest (i, j) wins among equally long blocks.
          if (k > bestSize) {
            bestI = i - k + 1;
            bestJ = j - k + 1;
            bestSize = k;
          }
        }
      }
      const len = prevLen;
      prevLen = curLen;
      curLen = len;
      const tags = prevTag;
      prevTag = curTag;
      curTag = tags;
    }
  }

  // The LIFO queue of ranges still to match (four entries per range) and the blocks found
  // (three entries per block).
  let found = new Int32Array(48);

  function push(top: number, alo: number, ahi: number, blo: number, bhi: number): number {
    if (top + 4 > queue.length) {
      const grown = new Int32Array(queue.length * 2);
      grown.set(queue);
      queue = grown;
    }
    queue[top] = alo;
    queue[top + 1] = ahi;
    queue[top + 2] = blo;
    queue[top + 3] = bhi;
    return top + 4;
  }

  // Runs difflib's queue over a[lo..hi) × b; the blocks land in `found` in discovery order.
  function run(a: ArrayLike<number>, lo: number, hi: number): number {
    let count = 0;
    let top = push(0, lo, hi, 0, b.length);
    while (top > 0) {
      top -= 4;
      const alo = queue[top];
      const ahi = queue[top + 1];
      const blo = queue[top + 2];
      const bhi = queue[top + 3];
      longest(a, alo, ahi, blo, bhi);
      if (bestSize > 0) {
        const i = bestI;
        const j = bestJ;
        const size = bestSize;
        if (3 * count + 3 > found.length) {
          const grown = new Int32Array(found.length * 2);
          grown.set(found);
          found = grown;
        }
        found[3 * count] = i;
        found[3 * count + 1] = j;
        found[3 * count + 2] = size;
        count++;
        if (alo < i && blo < j) top = push(top, alo, i, blo, j);
        if (i + size < ahi && j + size < bhi) top = push(top, i + size, ahi, j + size, bhi);
      }
    }
    return count;
  }

  function idsOf(a: readonly string[]): Int32Array {
    const out = new Int32Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = ids.get(a[i]) ?? -1;
    return out;
  }

  function blocksOfIds(a: ArrayLike<number>, lo: number, hi: number): MatchingBlock[] {
    const count = run(a, lo, hi);
    // Blocks never share a position of `a`, so their order by `i` is total: an insertion sort of
    // the few triples in place.
    for (let n = 1; n < count; n++) {
      const i = found[3 * n];
      const j = found[3 * n + 1];
      const size = found[3 * n + 2];
      let at = n;
      for (; at > 0 && found[3 * at - 3] > i; at--) {
        found[3 * at] = found[3 * at - 3];
        found[3 * at + 1] = found[3 * at - 2];
        found[3 * at + 2] = found[3 * at - 1];
      }
      found[3 * at] = i;
      found[3 * at + 1] = j;
      found[3 * at + 2] = size;
    }
    // Adjacent blocks merge; the array is allocated at its final size.
    let blocks = count;
    for (let n = 1; n < count; n++) {
      if (found[3 * n - 3] + found[3 * n - 1] === found[3 * n] && found[3 * n - 2] + found[3 * n - 1] === found[3 * n + 1]) blocks--;
    }
    const merged: MatchingBlock[] = new Array(blocks);
    let last: MatchingBlock | null = null;
    for (let n = 0, k = 0; n < count; n++) {
      const i = found[3 * n];
      const j = found[3 * n + 1];
      const size = found[3 * n + 2];
      if (last && last.i + last.size === i && last.j + last.size === j) last.size += size;
      else merged[k++] = last = { i, j, size };
    }
    return merged;
  }

  function matchedCount(a: ArrayLike<number>, lo: number, hi: number): number {
    const count = run(a, lo, hi);
    let total = 0;
    for (let n = 0; n < count; n++) total += found[3 * n + 2];
    return total;
  }

  return {
    b,
    ids,
    bIds,
    idsOf,
    blocks: (a) => blocksOfIds(idsOf(a), 0, a.length),
    blocksOfIds,
    matchedCount,
    longestMatch(a, alo, ahi, blo, bhi) {
      longest(idsOf(a), alo, ahi, blo, bhi);
      return { i: bestI, j: bestJ, size: bestSize };
    },
  };
}

/** Total size of the matching blocks (the elements both sequences share in the alignment). */
export function matchedSize(blocks: readonly MatchingBlock[]): number {
  let n = 0;
  for (const block of blocks) n += block.size;
  return n;
}
