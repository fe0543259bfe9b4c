/**
 * The client's shadow of a session: the config it set and the STM as the server last confirmed
 * it, advanced from each reply (the new STM is always a suffix of the old one plus the new events).
 */
import { compareCodePoints, sortSymbols } from '../engine/symbols.js';
import type { Event } from '../engine/types.js';
import type { ObservationInput, ObserveSequenceRequest, ObserveSequenceResult, SessionConfigInput } from './types.js';

/** What the client knows of a session beyond its id. */
export interface SessionShadow {
  /** Every config value the client set, merged in order (KATO's use_token_matching → sort_symbols toggle applied). */
  config: SessionConfigInput;
  /** The server's default for `sort_symbols` as echoed when the session was created. */
  serverSortsByDefault: boolean;
  /** The STM as last confirmed by the server. */
  stm: Event[];
}

/** The event an observation appends: null when it appends none, 'unknown' when the client cannot tell (vectors, unclear sorting). */
export type PredictedEvent = Event | null | 'unknown';

/** True when the server certainly sorts the symbols of an event (its default sorts and the client never asked otherwise). */
export function serverSorts(shadow: SessionShadow): boolean {
  return shadow.serverSortsByDefault && shadow.config.sort_symbols !== false;
}

function isSorted(symbols: readonly string[]): boolean {
  for (let i = 1; i < symbols.length; i++) if (compareCodePoints(symbols[i - 1], symbols[i]) > 0) return false;
  return true;
}

/** The event an observation appends to the STM (§6.1–6.4), as far as the client can know it. */
export function predictedEvent(observation: ObservationInput, sorts: boolean): PredictedEvent {
  const strings = observation.strings ?? [];
  const vectors = observation.vectors ?? [];
  // Vector symbols are named from the node's stored vectors, which only the server knows.
  if (vectors.length > 0) return 'unknown';
  if (strings.length === 0) return null;
  if (sorts) return sortSymbols(strings);
  return isSorted(strings) ? [...strings] : 'unknown';
}

/** The last `length` events of `events` (the STM after a save, a learn or a rolling window). */
export function lastEvents(events: readonly Event[], length: number): Event[] {
  return length <= 0 ? [] : events.slice(Math.max(0, events.length - length));
}

/** The STM after an observe answered with `stmLength`, or null when the client cannot derive it. */
export function stmAfterObserve(stm: readonly Event[], observation: ObservationInput, stmLength: number, sorts: boolean): Event[] | null {
  const event = predictedEvent(observation, sorts);
  if (event === 'unknown') return null;
  const grown = event === null ? [...stm] : [...stm, event];
  return stmLength <= grown.length ? lastEvents(grown, stmLength) : null;
}

/** The STM after an observe-sequence (§6.8), replayed item by item from the reply, or null when underivable. */
export function stmAfterSequence(
  stm: readonly Event[],
  request: ObserveSequenceRequest,
  result: ObserveSequenceResult,
  sorts: boolean,
): Event[] | null {
  if (request.observations.length === 0) return [...stm];
  if (result.results.length !== request.observations.length) return null;
  let current: Event[] = [...stm];
  for (let i = 0; i < request.observations.length; i++) {
    if (request.clear_stm_between && i > 0) current = [];
    const next = stmAfterObserve(current, request.observations[i], result.results[i].stm_length, sorts);
    if (next === null) return null;
    current = next;
  }
  return result.final_stm_length <= current.length ? lastEvents(current, result.final_stm_length) : null;
}

/** The shadow config after an update the server accepted, with KATO's auto-toggle (§4.2). */
export function mergeConfig(config: SessionConfigInput, update: SessionConfigInput): SessionConfigInput {
  const merged: SessionConfigInput = { ...config, ...update };
  if (update.use_token_matching !== undefined && update.sort_symbols === undefined) {
    merged.sort_symbols = update.use_token_matching;
  }
  return merged;
}
