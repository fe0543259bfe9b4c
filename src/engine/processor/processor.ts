/**
 * The KATO processor's session operations (spec §6–§7): observe, learn, auto-learn, observe
 * sequences and clears. Each mutates the SessionState it is given and writes only to the node KB.
 */
import { ValidationError } from '../../errors.js';
import { accumulateMetadata, averageEmotives, eventsLength } from '../learning.js';
import { prefixedName } from '../names.js';
import { precomputedMetricsOfNode, predict, type PredictionResult } from '../predictions/index.js';
import type { Emotives, Event, Observation, SessionConfig } from '../types.js';
import { effectiveConfig } from './config.js';
import { composeEvent, perceptOf } from './events.js';
import { sortSymbols } from '../symbols.js';
import type { JsonValue } from './json-value.js';
import { pyStrOf } from './json-value.js';
import type { NodeKb } from './kb.js';
import { applySessionLimits, type SessionState, type StoredPrediction } from './session.js';
import { vectorsToIndex } from './vectors.js';

/** What every operation needs besides the session: the node's KB and the server defaults. */
export interface ProcessorContext {
  kb: NodeKb;
  /** Server-level configuration defaults (session values override them). */
  defaults: SessionConfig;
}

/** What one observation did. */
export interface ObserveOutcome {
  /** `PTRN|<name>` when the observation triggered an auto-learn that stored a pattern. */
  autoLearnedPattern: string | null;
  uniqueId: string | undefined;
}

/** The session's effective configuration. */
export function sessionConfig(state: SessionState, defaults: SessionConfig): SessionConfig {
  return effectiveConfig(state.config, defaults);
}

/** Where a learn's emotives and metadata come from. */
type Annotations = 'accumulators' | 'none';

/**
 * Learns the STM (spec §7.1): the STM is cleared whatever happens, deferred vectors are indexed,
 * and a pattern is stored only when the STM held at least 2 symbols. Returns `PTRN|<name>` or "".
 */
async function learnStm(state: SessionState, config: SessionConfig, kb: NodeKb, annotations: Annotations): Promise<string> {
  const events = state.stm;
  state.stm = [];
  const deferred = await kb.deferredVectors();
  if (deferred.size > 0) await kb.indexVectors(vectorsToIndex(await kb.storedVectors(), deferred));
  if (eventsLength(events) < 2) return '';
  const item =
    annotations === 'accumulators'
      ? { events, emotives: state.emotivesAccumulator, metadata: accumulateMetadata(state.metadataAccumulator) }
      : { events };
  const outcome = await kb.learn(item, { persistence: config.persistence });
  return prefixedName(outcome.name);
}

/** Manual learn (`POST …/learn`, learn_after_each, learn_at_end): uses the session accumulators, which stay. */
export async function learn(state: SessionState, ctx: ProcessorContext): Promise<string> {
  const name = await learnStm(state, sessionConfig(state, ctx.defaults), ctx.kb, 'accumulators');
  applySessionLimits(state);
  return name;
}

/**
 * Auto-learn after an event was appended (spec §6.7). Like KATO, the pattern is stored without
 * the session's emotives and metadata. Returns `PTRN|<name>` or null.
 */
async function autoLearn(state: SessionState, config: SessionConfig, kb: NodeKb): Promise<string | null> {
  const mpl = config.max_pattern_length;
  if (!(mpl > 0) || state.stm.length < mpl) return null;
  let keep: Event[] = [];
  if (state.stm.length > 1 && config.stm_mode === 'ROLLING') {
    const w = mpl - 1;
    // Python's STM[-w:]: with w == 0 that is the whole STM.
    keep = w === 0 ? [...state.stm] : state.stm.length > w ? state.stm.slice(-w) : state.stm.slice(1);
  }
  const name = await learnStm(state, config, kb, 'none');
  if (keep.length > 0) state.stm = keep;
  return name === '' ? null : name;
}

/** Appends non-empty emotives and metadata to the accumulators and rebuilds percept_data. */
function accumulate(state: SessionState, observation: Observation): void {
  if (Object.keys(observation.emotives).length > 0) state.emotivesAccumulator.push({ ...observation.emotives });
  const metadata = observation.metadata as Record<string, JsonValue>;
  if (Object.keys(metadata).length > 0) {
    const stringified: Record<string, string> = {};
    for (const [key, value] of Object.entries(metadata)) stringified[key] = pyStrOf(value);
    state.metadataAccumulator.push(stringified);
  }
  state.perceptData = {
    strings: sortSymbols(observation.strings),
    vectors: observation.vectors.map((v) => [...v]),
    emotives: averageEmotives(state.emotivesAccumulator) as Emotives,
    path: [],
    metadata,
  };
}

/** Predictions for the session's STM under its effective config, computed afresh (spec §8). */
export async function predictions(state: SessionState, ctx: ProcessorContext): Promise<PredictionResult> {
  return predict(state.stm, sessionConfig(state, ctx.defaults), ctx.kb.predictionSource);
}

/**
 * One observation (spec §6.1): time advances; a non-empty observation appends its event, computes
 * predictions (when `process_predictions`) and runs auto-learn; accumulators and percept follow.
 * Throws a ValidationError (before changing anything) for vectors that cannot be summed.
 */
export async function observe(
  state: SessionState,
  observation: Observation,
  ctx: ProcessorContext,
): Promise<ObserveOutcome> {
  const config = sessionConfig(state, ctx.defaults);
  const percept = perceptOf(observation.vectors);
  state.time += 1;
  let autoLearnedPattern: string | null = null;
  if (observation.strings.length > 0 || percept) {
    const stored = percept ? await ctx.kb.storedVectors() : new Map<string, number[]>();
    state.stm.push(composeEvent(observation.strings, percept, stored, config.sort_symbols));
    if (percept) await ctx.kb.deferVector(percept.name, percept.components);
    // Computed before auto-learn, on the STM that includes the new event; kept for cognition-data.
    state.predictions = config.process_predictions
      ? ((await predict(state.stm, config, ctx.kb.predictionSource)).predictions as unknown as StoredPrediction[])
      : [];
    autoLearnedPattern = await autoLearn(state, config, ctx.kb);
  } else {
    state.predictions = [];
  }
  accumulate(state, observation);
  return { autoLearnedPattern, uniqueId: observation.uniqueId };
}

/** Flags of an observe-sequence request. */
export interface SequenceOptions {
  learnAfterEach: boolean;
  learnAtEnd: boolean;
  clearStmBetween: boolean;
}

/** One observation's result inside a sequence. */
export interface SequenceItemResult {
  status: 'okay';
  sequence_position: number;
  stm_length: number;
  time: number;
  unique_id: string | undefined;
  auto_learned_pattern: string | null;
}

/** What an observe-sequence did. */
export interface SequenceOutcome {
  initialStmLength: number;
  results: SequenceItemResult[];
  autoLearnedPatterns: string[];
  finalLearnedPattern: string | null;
}

/**
 * Observes a batch (spec §6.8): optional STM clearing between items (time and accumulators
 * kept), a learn after each item and/or at the end. Every item's vectors are checked before the
 * first one is processed, so a bad item changes nothing.
 */
export async function observeSequence(
  state: SessionState,
  observations: readonly Observation[],
  options: SequenceOptions,
  ctx: ProcessorContext,
): Promise<SequenceOutcome> {
  observations.forEach((o, i) => {
    try {
      perceptOf(o.vectors);
    } catch (err) {
      if (err instanceof ValidationError) {
        throw new ValidationError(`observations[${i}].${err.message}`, { ...err.details, field: `observations[${i}].vectors` });
      }
      throw err;
    }
  });
  const initialStmLength = state.stm.length;
  const results: SequenceItemResult[] = [];
  const autoLearnedPatterns: string[] = [];
  for (let i = 0; i < observations.length; i++) {
    if (options.clearStmBetween && i > 0) state.stm = [];
    const outcome = await observe(state, observations[i], ctx);
    if (options.learnAfterEach && state.stm.length > 0) autoLearnedPatterns.push(await learn(state, ctx));
    if (outcome.autoLearnedPattern) autoLearnedPatterns.push(outcome.autoLearnedPattern);
    results.push({
      status: 'okay',
      sequence_position: i,
      stm_length: state.stm.length,
      time: state.time,
      unique_id: outcome.uniqueId,
      auto_learned_pattern: outcome.autoLearnedPattern,
    });
  }
  let finalLearnedPattern: string | null = null;
  if (options.learnAtEnd && state.stm.length > 0) {
    finalLearnedPattern = await learn(state, ctx);
    autoLearnedPatterns.push(finalLearnedPattern);
  }
  applySessionLimits(state);
  return { initialStmLength, results, autoLearnedPatterns, finalLearnedPattern };
}

/** clear-stm: empties the STM, both accumulators, time, percept and stored predictions. */
export function clearStm(state: SessionState): void {
  state.stm = [];
  state.emotivesAccumulator = [];
  state.metadataAccumulator = [];
  state.time = 0;
  state.perceptData = null;
  state.predictions = [];
}

/** clear-all: deletes the node's whole KB, then clears this session as clear-stm does. */
export async function clearAll(state: SessionState, ctx: ProcessorContext): Promise<void> {
  await ctx.kb.clear();
  clearStm(state);
}

/**
 * finalize-training (spec §7.7): computes and stores every pattern's entropies and tf vector
 * over the whole pattern. Returns how many patterns were processed.
 */
export async function finalizeTraining(ctx: ProcessorContext): Promise<number> {
  const { kb } = ctx;
  const metrics = await precomputedMetricsOfNode(kb.allPatterns(), await kb.allSymbolStats(), await kb.totals());
  await kb.savePrecomputed(metrics);
  return metrics.size;
}
