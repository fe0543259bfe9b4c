/**
 * The KATO processor: session operations over a node KB (observe, learn, auto-learn, sequences,
 * clears, finalize-training), session configuration and vector symbols.
 */
export {
  clearAll,
  clearStm,
  finalizeTraining,
  learn,
  observe,
  observeSequence,
  predictions,
  sessionConfig,
  type ObserveOutcome,
  type ProcessorContext,
  type SequenceItemResult,
  type SequenceOptions,
  type SequenceOutcome,
} from './processor.js';
export {
  applyConfigUpdate,
  applyCreationConfig,
  CONFIG_KEYS,
  DEFAULT_CONFIG,
  effectiveConfig,
  validateConfigUpdate,
  type ConfigErrors,
  type ConfigKey,
  type ConfigValues,
} from './config.js';
export { applySessionLimits, flattenStm, newSessionState, SESSION_LIMIT, type PerceptData, type SessionState, type StoredPrediction } from './session.js';
export type { NodeKb } from './kb.js';
export { JsonFloat, pyRepr, pyStrOf, type JsonValue } from './json-value.js';
export { numpyArrayStr } from './numpy-str.js';
export { nearestVectors, perceptVector, vectorName, VECTOR_PREFIX } from './vectors.js';
