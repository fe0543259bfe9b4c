/**
 * Level arithmetic, written once: which level a pattern's symbols name, and how a symbol of a
 * level decodes (a token at level 0, a `PTRN|` reference to level l−1 above it).
 */
import { isBareName, PATTERN_PREFIX, prefixedName } from '../engine/names.js';
import type { Event } from '../engine/types.js';
import { KatoError } from '../errors.js';

/** A pattern whose events do not have the shape its level requires. */
export class PatternShapeError extends KatoError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('PATTERN_SHAPE', message, details);
  }
}

/** What one symbol of a level-`level` pattern stands for. */
export type SymbolRef = { readonly kind: 'token'; readonly token: string } | { readonly kind: 'pattern'; readonly level: number; readonly name: string };

/** The level whose patterns the symbols of a level-`level` pattern name (−1: they are tokens). */
export function childLevel(level: number): number {
  return level - 1;
}

/** The symbol a level-`level` pattern becomes in level `level + 1`'s events. */
export function symbolOfPattern(name: string): string {
  return prefixedName(name);
}

/** Decodes one symbol of a pattern of `level`; `parent` names that pattern in errors. */
export function decodeSymbol(level: number, symbol: string, parent: string): SymbolRef {
  if (level === 0) return { kind: 'token', token: symbol };
  const name = symbol.startsWith(PATTERN_PREFIX) ? symbol.slice(PATTERN_PREFIX.length) : '';
  if (!isBareName(name)) {
    throw new PatternShapeError(
      `pattern ${parent} of level ${level} holds '${symbol}', not a 'PTRN|<sha1>' reference to a level ${childLevel(level)} pattern`,
      { level, pattern: parent, symbol },
    );
  }
  return { kind: 'pattern', level: childLevel(level), name };
}

/** A pattern's events after checking each is a non-empty list of strings (its symbols, in order). */
export function checkedEvents(level: number, name: string, events: readonly Event[]): readonly Event[] {
  events.forEach((event, i) => {
    if (!Array.isArray(event) || event.length === 0 || event.some((s) => typeof s !== 'string')) {
      throw new PatternShapeError(`pattern ${name} of level ${level}: event ${i} is not a non-empty list of symbols`, {
        level,
        pattern: name,
        event: i,
      });
    }
  });
  return events;
}
