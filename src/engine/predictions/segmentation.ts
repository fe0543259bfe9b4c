/**
 * Temporal segmentation of a matched pattern (server spec §8.4): past, present and future as
 * whole pattern events, missing aligned with present, extras aligned with the STM events.
 */
import type { Event } from '../types.js';

/** A pattern's events split around the matched region. */
export interface Segments {
  past: Event[];
  present: Event[];
  future: Event[];
}

/**
 * Splits `events` so `past` covers at least `pastLength` flat symbols and `past + present` at
 * least `pastLength + presentLength`, each rounded up to an event boundary; when the first
 * matched symbol sits in the last past event, that event moves to the front of `present`.
 */
export function segmentEvents(
  events: readonly Event[],
  pastLength: number,
  presentLength: number,
  firstMatch: string | undefined,
): Segments {
  let covered = 0;
  let e = 0;
  while (covered < pastLength) covered += events[e++].length;
  let past = events.slice(0, e);
  const presentStart = e;
  while (covered < pastLength + presentLength) covered += events[e++].length;
  let present = events.slice(presentStart, e);
  const future = events.slice(e);
  if (past.length > 0 && firstMatch !== undefined && past[past.length - 1].includes(firstMatch)) {
    present = [past[past.length - 1], ...present];
    past = past.slice(0, -1);
  }
  const copy = (list: readonly Event[]) => list.map((event) => [...event]);
  return { past: copy(past), present: copy(present), future: copy(future) };
}

/** Per present event, its symbols that are not among the matches (membership, not count). */
export function missingPerEvent(present: readonly Event[], matches: readonly string[]): Event[] {
  const matched = new Set(matches);
  return present.map((event) => event.filter((s) => !matched.has(s)));
}

/** Per STM event, its symbols that appear nowhere in the present events. */
export function extrasPerEvent(stm: readonly Event[], present: readonly Event[]): Event[] {
  const inPresent = new Set<string>();
  for (const event of present) for (const s of event) inPresent.add(s);
  return stm.map((event) => event.filter((s) => !inPresent.has(s)));
}
