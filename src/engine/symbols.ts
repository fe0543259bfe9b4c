/**
 * Symbol ordering. KATO sorts the symbols of an event by Unicode code point (Python's string
 * order); JavaScript's default sort compares UTF-16 code units, which differs for astral text.
 */

/** Compares two strings by Unicode code point, as Python's `<` does. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) sort above every BMP unit, including U+E000..U+FFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** A copy of `symbols` sorted by code point (duplicates and empty strings kept). */
export function sortSymbols(symbols: readonly string[]): string[] {
  return [...symbols].sort(compareCodePoints);
}

/**
 * Sorts `symbols` in place by code point and returns it. Without code units from U+D800 up,
 * UTF-16 order is code-point order, and the engine's native string sort gives it.
 */
export function sortByCodePoint(symbols: string[]): string[] {
  for (const s of symbols) {
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0xd800) return symbols.sort(compareCodePoints);
  }
  return symbols.sort();
}
