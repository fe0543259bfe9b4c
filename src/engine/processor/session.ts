/**
 * A session's state as the processor sees it (spec §5.1): STM, accumulators, time, the last
 * percept, the predictions of the last observe and the session's own config values.
 */
import type { Emotives, Event } from '../types.js';
import type { ConfigValues } from './config.js';
import type { JsonValue } from './json-value.js';

/** The last observation as `GET …/percept-data` shows it. */
export interface PerceptData {
  /** The observation's strings, sorted by code point whatever the config says. */
  strings: string[];
  vectors: number[][];
  /** Running average of the session's emotives accumulator after the observation. */
  emotives: Emotives;
  /** Always empty in KATO v3. */
  path: string[];
  metadata: Record<string, JsonValue>;
}

/** A prediction object as the prediction engine returns it (kept for cognition-data). */
export type StoredPrediction = Record<string, unknown>;

/** Everything of a session that its operations read and change. */
export interface SessionState {
  stm: Event[];
  emotivesAccumulator: Emotives[];
  /** Metadata dicts of past observations, each value already Python-`str()`ed. */
  metadataAccumulator: Record<string, string>[];
  /** Observations since creation or the last clear (empty ones included). */
  time: number;
  /** null until the first observation (shown as `{}`). */
  perceptData: PerceptData | null;
  /** Predictions computed at the last observe. */
  predictions: StoredPrediction[];
  /** Config values the session has set (the rest come from server defaults). */
  config: ConfigValues;
}

/** KATO keeps at most this many STM events and accumulator entries per session (§5.2). */
export const SESSION_LIMIT = 1000;

/** A fresh session's state. */
export function newSessionState(config: ConfigValues = {}): SessionState {
  return {
    stm: [],
    emotivesAccumulator: [],
    metadataAccumulator: [],
    time: 0,
    perceptData: null,
    predictions: [],
    config,
  };
}

/** Drops the oldest STM events and accumulator entries beyond the limits (applied on save). */
export function applySessionLimits(state: SessionState): void {
  if (state.stm.length > SESSION_LIMIT) state.stm = state.stm.slice(-SESSION_LIMIT);
  if (state.emotivesAccumulator.length > SESSION_LIMIT) state.emotivesAccumulator = state.emotivesAccumulator.slice(-SESSION_LIMIT);
  if (state.metadataAccumulator.length > SESSION_LIMIT) state.metadataAccumulator = state.metadataAccumulator.slice(-SESSION_LIMIT);
}

/** The STM flattened into one symbol list. */
export function flattenStm(stm: readonly Event[]): string[] {
  const out: string[] = [];
  for (const event of stm) for (const s of event) out.push(s);
  return out;
}
