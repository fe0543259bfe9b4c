/**
 * Vector observations (spec §6.2): the summed percept vector, its `VCTR|<sha1>` name, the three
 * nearest stored vectors of the node, and which deferred vectors a learn indexes.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../../errors.js';
import { numpyArrayStr } from './numpy-str.js';

export const VECTOR_PREFIX = 'VCTR|';

/** How many stored vectors join a vector observation's symbols (no distance threshold). */
export const NEAREST_VECTORS = 3;

/**
 * The element-wise sum of an observation's vectors with NumPy broadcasting: equal lengths, or
 * a length-1 vector that spreads over the other. Throws a ValidationError naming `vectors`.
 */
export function perceptVector(vectors: readonly (readonly number[])[]): number[] {
  let sum = [...vectors[0]];
  for (let i = 1; i < vectors.length; i++) {
    const next = vectors[i];
    if (sum.length === next.length) {
      sum = sum.map((v, k) => v + next[k]);
    } else if (next.length === 1) {
      sum = sum.map((v) => v + next[0]);
    } else if (sum.length === 1) {
      sum = next.map((v) => sum[0] + v);
    } else {
      throw new ValidationError(
        `vectors: vector ${i} has ${next.length} components but the vectors before it sum to ${sum.length}; ` +
          'all vectors of an observation need the same length (or length 1)',
        { field: 'vectors', index: i, expected: sum.length, actual: next.length },
      );
    }
  }
  if (!sum.every(Number.isFinite)) {
    throw new ValidationError('vectors: the summed vector overflows to an infinite value', { field: 'vectors' });
  }
  return sum;
}

/** `VCTR|` + SHA-1 of NumPy's `str()` of the vector. */
export function vectorName(vector: readonly number[]): string {
  return VECTOR_PREFIX + createHash('sha1').update(numpyArrayStr(vector), 'utf8').digest('hex');
}

/** Squared Euclidean distance (ordering by it equals ordering by distance). */
function distance2(a: readonly number[], b: readonly number[]): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] - b[i];
    d += x * x;
  }
  return d;
}

/**
 * Names of the `k` stored vectors nearest to `query`, nearest first, ties by name. Stored vectors
 * of another dimension are never neighbours (the reference's collection rejects such queries).
 */
export function nearestVectors(query: readonly number[], stored: ReadonlyMap<string, readonly number[]>, k = NEAREST_VECTORS): string[] {
  const scored: { name: string; d: number }[] = [];
  for (const [name, components] of stored) {
    if (components.length === query.length) scored.push({ name, d: distance2(query, components) });
  }
  scored.sort((a, b) => a.d - b.d || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return scored.slice(0, k).map((s) => s.name);
}

/**
 * The deferred vectors a learn adds to the node's collection: the collection's dimension is that
 * of its first vector (existing, else the first deferred one); others are skipped, as KATO does.
 */
export function vectorsToIndex(
  stored: ReadonlyMap<string, readonly number[]>,
  deferred: ReadonlyMap<string, readonly number[]>,
): Map<string, number[]> {
  const out = new Map<string, number[]>();
  let dimension: number | undefined = stored.values().next().value?.length;
  for (const [name, components] of deferred) {
    if (stored.has(name) || out.has(name)) continue;
    dimension ??= components.length;
    if (components.length === dimension) out.set(name, [...components]);
  }
  return out;
}
