/**
 * The compact form a prepared hierarchy crosses threads in: token ids and chunk ends as transferred
 * typed arrays, each level's names as one string — not thousands of small strings to deserialise.
 */
import { tokenString } from '../text/index.js';
import type { PreparedHierarchy } from './types.js';

/** Length of a bare pattern name (40 hex digits). */
const NAME_LENGTH = 40;

/** A prepared hierarchy packed for postMessage. */
export interface PackedHierarchy {
  /** GPT-2 token ids of level 0 (the vocabulary has fewer than 65,536 ids). */
  readonly ids: Uint16Array;
  readonly levels: readonly { readonly ends: Uint32Array; readonly names: string; readonly dropped: number }[];
}

/** Packs a hierarchy whose level-0 symbols are the token strings of `ids`. */
export function packHierarchy(ids: readonly number[], hierarchy: PreparedHierarchy): PackedHierarchy {
  return {
    ids: Uint16Array.from(ids),
    levels: hierarchy.levels.map((level) => ({ ends: Uint32Array.from(level.ends), names: level.names.join(''), dropped: level.dropped })),
  };
}

/** The buffers of a packed hierarchy, to transfer with it. */
export function packedBuffers(packed: PackedHierarchy): ArrayBuffer[] {
  return [packed.ids.buffer as ArrayBuffer, ...packed.levels.map((level) => level.ends.buffer as ArrayBuffer)];
}

/** The hierarchy a packed one stands for (token strings from the shared vocabulary table). */
export function unpackHierarchy(packed: PackedHierarchy): PreparedHierarchy {
  const tokens = new Array<string>(packed.ids.length);
  for (let i = 0; i < tokens.length; i++) tokens[i] = tokenString(packed.ids[i]);
  return {
    tokens,
    levels: packed.levels.map((level) => {
      const names = new Array<string>(level.ends.length);
      for (let i = 0; i < names.length; i++) names[i] = level.names.slice(i * NAME_LENGTH, (i + 1) * NAME_LENGTH);
      return { ends: Array.from(level.ends), names, dropped: level.dropped };
    }),
  };
}
