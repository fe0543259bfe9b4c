/**
 * Pattern names: SHA-1 of Python's repr of the list of events, exactly as KATO computes them,
 * so a KB built here is name-compatible with one built by KATO.
 */
import { hash } from 'node:crypto';
import { pyEventsRepr } from './pyrepr.js';
import type { Event } from './types.js';

export const PATTERN_PREFIX = 'PTRN|';

/** The bare 40-hex name of a pattern with these events. */
export function patternName(events: readonly Event[]): string {
  // One-shot hashing: no Hash object per pattern on the training hot path.
  return hash('sha1', pyEventsRepr(events), 'hex');
}

/** `PTRN|<name>` for a bare name (unchanged if already prefixed). */
export function prefixedName(name: string): string {
  return name.startsWith(PATTERN_PREFIX) ? name : PATTERN_PREFIX + name;
}

/** The bare name from either `PTRN|<name>` or `<name>`. */
export function bareName(name: string): string {
  return name.startsWith(PATTERN_PREFIX) ? name.slice(PATTERN_PREFIX.length) : name;
}

/** True for a bare 40-hex lowercase SHA-1 name. */
export function isBareName(name: string): boolean {
  return /^[0-9a-f]{40}$/.test(name);
}

/** The events of a chunk of symbols learned one symbol per event: `[[s1], [s2], …]`. */
export function chunkEvents(symbols: readonly string[]): Event[] {
  return symbols.map((s) => [s]);
}
