/**
 * The canonical hierarchy algorithm, written once: a document's token strings → the chunks and
 * pattern names of every level. Every training path (embedded, remote, any worker count) uses it.
 */
import { chunkEvents, patternName, prefixedName } from '../engine/names.js';
import type { HierarchySettings, LevelPattern, PreparedHierarchy, PreparedLevel, RemainderPolicy } from './types.js';

/**
 * End offsets of the chunks of a sequence of `length` symbols cut every `size` symbols. A final
 * chunk of at least 2 symbols is kept (KATO needs 2 symbols to learn); a final single symbol
 * joins the previous chunk (`merge`) or is left out (`drop`). Fewer than 2 symbols: no chunk.
 */
export function chunkEnds(length: number, size: number, remainder: RemainderPolicy): number[] {
  const ends: number[] = [];
  if (length < 2) return ends;
  const full = Math.floor(length / size);
  for (let k = 1; k <= full; k++) ends.push(k * size);
  const left = length - full * size;
  if (left >= 2) ends.push(length);
  // left === 1 implies length > size >= 2, so there is a previous chunk to join.
  else if (left === 1 && remainder === 'merge') ends[ends.length - 1] = length;
  return ends;
}

/** The symbol a level-l pattern name becomes at level l+1: the `PTRN|` form KATO's trainer used. */
export function upperSymbol(name: string): string {
  return prefixedName(name);
}

/** Names of the chunks of `symbols` ending at `ends`. */
function chunkNames(symbols: readonly string[], ends: readonly number[]): string[] {
  const names = new Array<string>(ends.length);
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    names[i] = patternName(chunkEvents(symbols.slice(start, ends[i])));
    start = ends[i];
  }
  return names;
}

/**
 * The document's hierarchy: level 0 chunks its tokens; each chunk's `PTRN|<name>` is one symbol
 * of the next level. Stops after the top level, or at a level with fewer than 2 symbols.
 */
export function buildHierarchy(tokens: readonly string[], settings: HierarchySettings): PreparedHierarchy {
  const levels: PreparedLevel[] = [];
  let symbols: readonly string[] = tokens;
  for (let level = 0; level < settings.levels; level++) {
    const ends = chunkEnds(symbols.length, settings.chunks[level], settings.remainder);
    if (ends.length === 0) break;
    const names = chunkNames(symbols, ends);
    levels.push({ ends, names, dropped: symbols.length - ends[ends.length - 1] });
    symbols = names.map(upperSymbol);
  }
  return { tokens, levels };
}

/** The symbol sequence of `level` in a prepared hierarchy. */
export function levelSymbols(hierarchy: PreparedHierarchy, level: number): readonly string[] {
  return level === 0 ? hierarchy.tokens : hierarchy.levels[level - 1].names.map(upperSymbol);
}

/** The patterns (events and names) learned at `level`, in document order. */
export function levelPatterns(hierarchy: PreparedHierarchy, level: number): LevelPattern[] {
  const { ends, names } = hierarchy.levels[level];
  const symbols = levelSymbols(hierarchy, level);
  const patterns = new Array<LevelPattern>(ends.length);
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    patterns[i] = { events: chunkEvents(symbols.slice(start, ends[i])), name: names[i] };
    start = ends[i];
  }
  return patterns;
}
