/**
 * Building an STM event from an observation (spec §6.2–6.4): vector symbols first (own name and
 * the nearest stored vectors), then the strings, each part sorted by code point on its own.
 */
import { sortSymbols } from '../symbols.js';
import type { Event } from '../types.js';
import { nearestVectors, perceptVector, vectorName } from './vectors.js';

/** The vector part of an observation, worked out before anything is written. */
export interface PerceptVector {
  name: string;
  components: number[];
}

/** The summed vector of an observation and its name, or null when it has no vectors. */
export function perceptOf(vectors: readonly (readonly number[])[]): PerceptVector | null {
  if (vectors.length === 0) return null;
  const components = perceptVector(vectors);
  return { name: vectorName(components), components };
}

/**
 * The event of an observation: distinct vector symbols (own name plus up to three nearest stored
 * vectors), sorted, followed by the strings — sorted when `sortStrings`, duplicates kept.
 */
export function composeEvent(
  strings: readonly string[],
  percept: PerceptVector | null,
  stored: ReadonlyMap<string, readonly number[]>,
  sortStrings: boolean,
): Event {
  const stringSymbols = sortStrings ? sortSymbols(strings) : [...strings];
  if (!percept) return stringSymbols;
  const vectorSymbols = new Set(nearestVectors(percept.components, stored));
  vectorSymbols.add(percept.name);
  return [...sortSymbols([...vectorSymbols]), ...stringSymbols];
}
