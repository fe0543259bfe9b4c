/**
 * KATO's alignment: its copy of difflib's SequenceMatcher without junk handling (server spec
 * Appendix C) — longest matching blocks, their tie rules, the LIFO queue and block merging.
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
  /** Matching blocks of `a` against `b`, merged, ordered by position, without the sentinel. */
  blocks(a: readonly string[]): MatchingBlock[];
  /** The longest matching block of `a[alo..ahi)` and `b[blo..bhi)` (size 0 when none). */
  longestMatch(a: readonly string[], alo: number, ahi: number, blo: number, bhi: number): MatchingBlock;
}

/** Builds a matcher for `b`: token → ascending positions in `b`, plus scratch rows. */
export function sequenceMatcher(b: readonly string[]): SequenceMatcher {
  const b2j = new Map<string, number[]>();
  b.forEach((token, j) => {
    const positions = b2j.get(token);
    if (positions) positions.push(j);
    else b2j.set(token, [j]);
  });
  // difflib keeps the previous row's run lengths in a dict; two tagged rows give the same
  // "absent means 0" lookups without allocating per row.
  let prevLen = new Int32Array(b.length);
  let prevTag = new Int32Array(b.length).fill(-1);
  let curLen = new Int32Array(b.length);
  let curTag = new Int32Array(b.length).fill(-1);
  let row = 0;

  function longestMatch(a: readonly string[], alo: number, ahi: number, blo: number, bhi: number): MatchingBlock {
    let bestI = alo;
    let bestJ = blo;
    let bestSize = 0;
    const rowBefore = ++row;
    for (let i = alo; i < ahi; i++) {
      const tag = ++row;
      const positions = b2j.get(a[i]);
      if (positions) {
        for (const j of positions) {
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
      [prevLen, curLen] = [curLen, prevLen];
      [prevTag, curTag] = [curTag, prevTag];
    }
    return { i: bestI, j: bestJ, size: bestSize };
  }

  function blocks(a: readonly string[]): MatchingBlock[] {
    const found: MatchingBlock[] = [];
    const queue: [number, number, number, number][] = [[0, a.length, 0, b.length]];
    while (queue.length > 0) {
      const [alo, ahi, blo, bhi] = queue.pop()!;
      const m = longestMatch(a, alo, ahi, blo, bhi);
      if (m.size > 0) {
        found.push(m);
        if (alo < m.i && blo < m.j) queue.push([alo, m.i, blo, m.j]);
        if (m.i + m.size < ahi && m.j + m.size < bhi) queue.push([m.i + m.size, ahi, m.j + m.size, bhi]);
      }
    }
    found.sort((x, y) => x.i - y.i || x.j - y.j || x.size - y.size);
    const merged: MatchingBlock[] = [];
    for (const block of found) {
      const last = merged[merged.length - 1];
      if (last && last.i + last.size === block.i && last.j + last.size === block.j) last.size += block.size;
      else merged.push({ ...block });
    }
    return merged;
  }

  return { b, blocks, longestMatch };
}

/** Total size of the matching blocks (the elements both sequences share in the alignment). */
export function matchedSize(blocks: readonly MatchingBlock[]): number {
  let n = 0;
  for (const block of blocks) n += block.size;
  return n;
}
