/**
 * What one learn does to a pattern record, as pure functions every store shares: the emotive
 * window, the metadata union and the symbol counts that feed node statistics.
 */
import { compareCodePoints } from './symbols.js';
import { pyStr } from './pyrepr.js';
import type { Emotives, Event, PatternMetadata } from './types.js';

/** Total number of symbols in a list of events. */
export function eventsLength(events: readonly Event[]): number {
  let n = 0;
  for (const event of events) n += event.length;
  return n;
}

/** Occurrences of each symbol across the events, in first-appearance order. */
export function symbolCounts(events: readonly Event[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const event of events) for (const s of event) counts.set(s, (counts.get(s) ?? 0) + 1);
  return counts;
}

/** The last `persistence` entries of `window`, order kept (Python `list[-P:]`). */
export function emotiveWindow(window: readonly Emotives[], persistence: number): Emotives[] {
  if (persistence <= 0) return [...window];
  return window.slice(Math.max(0, window.length - persistence));
}

/** Per-key arithmetic mean over the dicts that contain the key (`{}` for an empty list). */
export function averageEmotives(list: readonly Emotives[]): Emotives {
  const sums = new Map<string, number>();
  const counts = new Map<string, number>();
  for (const dict of list) {
    for (const [k, v] of Object.entries(dict)) {
      sums.set(k, (sums.get(k) ?? 0) + v);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  }
  const out: Emotives = {};
  for (const [k, sum] of sums) out[k] = sum / counts.get(k)!;
  return out;
}

/**
 * KATO's `accumulate_metadata`: each key (first-appearance order) maps to the sorted distinct
 * Python `str` of its values across the list.
 */
export function accumulateMetadata(list: readonly Record<string, unknown>[]): PatternMetadata {
  const sets = new Map<string, Set<string>>();
  for (const dict of list) {
    for (const [k, v] of Object.entries(dict)) {
      let set = sets.get(k);
      if (!set) sets.set(k, (set = new Set()));
      set.add(pyStr(v));
    }
  }
  const out: PatternMetadata = {};
  for (const [k, set] of sets) out[k] = [...set].sort(compareCodePoints);
  return out;
}

/** Stored metadata united with a learn's metadata, key by key, values sorted and distinct. */
export function mergeMetadata(stored: PatternMetadata, incoming: PatternMetadata): PatternMetadata {
  const out: PatternMetadata = {};
  for (const [k, values] of Object.entries(stored)) out[k] = [...values];
  for (const [k, values] of Object.entries(incoming)) {
    out[k] = [...new Set([...(out[k] ?? []), ...values])].sort(compareCodePoints);
  }
  return out;
}

/** True when a learn carries emotives or metadata (so a re-learn rewrites both). */
export function carriesAnnotations(emotives?: readonly Emotives[], metadata?: PatternMetadata): boolean {
  return (emotives?.length ?? 0) > 0 || (metadata !== undefined && Object.keys(metadata).length > 0);
}
