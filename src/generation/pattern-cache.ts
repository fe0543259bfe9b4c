/**
 * An LRU cache of pattern events per level in front of a GenerationKb. Events never change for a
 * name (the name is their hash), so a cached pattern is always current; frequencies are not cached.
 */
import type { Event } from '../engine/types.js';
import type { GenerationKb } from './types.js';

/** Patterns kept by default: about 10 MB of level-0 chunks. */
export const DEFAULT_CACHE_PATTERNS = 50_000;

/** Batched, cached pattern reads. */
export interface PatternReader {
  /** The events of every name that exists at `level` (one KB request for all names not cached). */
  read(level: number, names: readonly string[]): Promise<Map<string, Event[]>>;
  /** Hits and KB reads so far. */
  stats(): { hits: number; misses: number; requests: number };
}

/** A reader over `kb` keeping the `capacity` most recently used patterns. */
export function patternReader(kb: GenerationKb, capacity: number = DEFAULT_CACHE_PATTERNS): PatternReader {
  // A Map iterates in insertion order, so re-inserting on use keeps the least recent first.
  const cache = new Map<string, Event[]>();
  let hits = 0;
  let misses = 0;
  let requests = 0;
  const remember = (key: string, events: Event[]): void => {
    cache.delete(key);
    cache.set(key, events);
    if (cache.size > capacity) cache.delete(cache.keys().next().value as string);
  };
  return {
    async read(level, names) {
      const found = new Map<string, Event[]>();
      const wanted: string[] = [];
      for (const name of new Set(names)) {
        const key = `${level}:${name}`;
        const events = cache.get(key);
        if (events) {
          hits++;
          remember(key, events);
          found.set(name, events);
        } else {
          wanted.push(name);
        }
      }
      if (wanted.length > 0) {
        misses += wanted.length;
        requests++;
        const fetched = await kb.getPatterns(level, wanted);
        for (const name of wanted) {
          const events = fetched.get(name);
          if (!events) continue;
          remember(`${level}:${name}`, events);
          found.set(name, events);
        }
      }
      return found;
    },
    stats: () => ({ hits, misses, requests }),
  };
}
