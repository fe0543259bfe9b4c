/**
 * Byte-pair merging for very long pre-tokens in O(n log n): a heap of adjacent pairs keyed by
 * (rank, position), which picks the same merge as the classic lowest-rank-leftmost scan.
 */

/**
 * Merges one pre-token, given as GPT-2 alphabet characters (one per byte), into token strings.
 * `rankOf` returns a token string's rank, or undefined when it is not in the vocabulary.
 */
export function mergePiece(chars: string, rankOf: (token: string) => number | undefined): string[] {
  const n = chars.length;
  if (n <= 1) return n === 1 ? [chars] : [];
  // Parts form a linked list over byte positions: part i spans [i, next[i]).
  const next = new Int32Array(n + 1);
  const prev = new Int32Array(n + 1);
  // Rank of the pair that starts at part i (i and next[i] joined), or -1 when there is none.
  const pairRank = new Int32Array(n).fill(-1);
  for (let i = 0; i <= n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
  }
  const heap: number[] = [];
  const rankPair = (i: number): void => {
    const j = next[i];
    const rank = j < n ? rankOf(chars.slice(i, next[j])) : undefined;
    pairRank[i] = rank ?? -1;
    if (rank !== undefined) heapPush(heap, rank, i);
  };
  for (let i = 0; i < n - 1; i++) rankPair(i);

  while (heap.length > 0) {
    const { rank, position } = heapPop(heap);
    // A merge changes the pair at a position to a longer byte string, whose rank differs, so
    // an entry whose rank no longer matches is stale.
    if (pairRank[position] !== rank) continue;
    const absorbed = next[position];
    next[position] = next[absorbed];
    prev[next[absorbed]] = position;
    pairRank[absorbed] = -1;
    rankPair(position);
    if (prev[position] >= 0) rankPair(prev[position]);
  }

  const tokens: string[] = [];
  for (let i = 0; i < n; i = next[i]) tokens.push(chars.slice(i, next[i]));
  return tokens;
}

// Heap keys pack (rank, position) into one float so that smaller means lower rank, then further
// left. Positions stay below 2^36 (64 GiB pre-tokens) and ranks below 2^16: 52 bits in all.
const POSITION_SPAN = 2 ** 36;

/** Pushes a (rank, position) pair onto a binary min-heap of packed keys. */
function heapPush(keys: number[], rank: number, position: number): void {
  const key = rank * POSITION_SPAN + position;
  let i = keys.length;
  keys.push(key);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (keys[parent] <= key) break;
    keys[i] = keys[parent];
    i = parent;
  }
  keys[i] = key;
}

/** Removes and returns the lowest (rank, position) pair of a non-empty heap. */
function heapPop(keys: number[]): { rank: number; position: number } {
  const top = keys[0];
  const last = keys.pop() as number;
  if (keys.length > 0) {
    let i = 0;
    const size = keys.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && keys[right] < keys[left] ? right : left;
      if (keys[child] >= last) break;
      keys[i] = keys[child];
      i = child;
    }
    keys[i] = last;
  }
  const rank = Math.floor(top / POSITION_SPAN);
  return { rank, position: top - rank * POSITION_SPAN };
}
