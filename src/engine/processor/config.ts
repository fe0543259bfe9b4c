/**
 * Session configuration (spec §4): defaults, the effective config a session reports, and KATO's
 * two validators — the silent one of session creation and the 400-raising one of config updates.
 */
import type { SessionConfig } from '../types.js';
import { isJsonFloat } from './json-value.js';

/** Every configuration key, in the order the effective config lists them. */
export const CONFIG_KEYS = [
  'max_pattern_length',
  'persistence',
  'recall_threshold',
  'indexer_type',
  'max_predictions',
  'sort_symbols',
  'process_predictions',
  'use_token_matching',
  'fuzzy_token_threshold',
  'stm_mode',
  'rank_sort_algo',
  'affinity_emotive',
  'filter_pipeline',
  'length_min_ratio',
  'length_max_ratio',
  'jaccard_threshold',
  'jaccard_min_overlap',
  'minhash_threshold',
  'minhash_bands',
  'minhash_rows',
  'minhash_num_hashes',
  'bloom_false_positive_rate',
  'max_candidates_per_stage',
  'enable_filter_metrics',
] as const satisfies readonly (keyof SessionConfig)[];

export type ConfigKey = (typeof CONFIG_KEYS)[number];

/** Values a session has set; absent (or null) means "use the server default". */
export type ConfigValues = { -readonly [K in ConfigKey]?: SessionConfig[K] | null };

/** KATO's built-in defaults (the server overrides them from its environment). */
export const DEFAULT_CONFIG: SessionConfig = {
  max_pattern_length: 0,
  persistence: 5,
  recall_threshold: 0.1,
  indexer_type: 'VI',
  max_predictions: 100,
  sort_symbols: true,
  process_predictions: true,
  use_token_matching: true,
  stm_mode: 'CLEAR',
  rank_sort_algo: 'potential',
  filter_pipeline: [],
  length_min_ratio: 0.5,
  length_max_ratio: 2.0,
  jaccard_threshold: 0.3,
  jaccard_min_overlap: 2,
  minhash_threshold: 0.7,
  minhash_bands: 20,
  minhash_rows: 5,
  minhash_num_hashes: 100,
  bloom_false_positive_rate: 0.01,
  max_candidates_per_stage: 100000,
  enable_filter_metrics: true,
};

export const INDEXER_TYPES = ['VI', 'LSH', 'ANNOY', 'FAISS'] as const;
export const STM_MODES = ['CLEAR', 'ROLLING'] as const;
export const FILTER_STAGES = ['minhash', 'length', 'jaccard', 'bloom', 'rapidfuzz'] as const;
export const RANK_SORT_ALGOS = [
  'potential',
  'similarity',
  'evidence',
  'confidence',
  'snr',
  'fragmentation',
  'frequency',
  'normalized_entropy',
  'global_normalized_entropy',
  'itfdf_similarity',
  'confluence',
  'predictive_information',
  'bayesian_posterior',
  'bayesian_prior',
  'bayesian_likelihood',
  'tfidf_score',
  'weighted_similarity',
  'weighted_evidence',
  'weighted_confidence',
  'weighted_snr',
] as const;

type Kind = 'int' | 'float' | 'bool' | 'string' | 'nullable-string' | 'string-list';

/** The JSON type each key holds. */
const KINDS: Record<ConfigKey, Kind> = {
  max_pattern_length: 'int',
  persistence: 'int',
  recall_threshold: 'float',
  indexer_type: 'string',
  max_predictions: 'int',
  sort_symbols: 'bool',
  process_predictions: 'bool',
  use_token_matching: 'bool',
  fuzzy_token_threshold: 'float',
  stm_mode: 'string',
  rank_sort_algo: 'string',
  affinity_emotive: 'nullable-string',
  filter_pipeline: 'string-list',
  length_min_ratio: 'float',
  length_max_ratio: 'float',
  jaccard_threshold: 'float',
  jaccard_min_overlap: 'int',
  minhash_threshold: 'float',
  minhash_bands: 'int',
  minhash_rows: 'int',
  minhash_num_hashes: 'int',
  bloom_false_positive_rate: 'float',
  max_candidates_per_stage: 'int',
  enable_filter_metrics: 'bool',
};

const KEY_SET: ReadonlySet<string> = new Set(CONFIG_KEYS);

/** True for a configuration key. */
export function isConfigKey(key: string): key is ConfigKey {
  return KEY_SET.has(key);
}

/** A JSON number as Python sees it: an int (bool counts, as in Python) or a float. */
function numberOf(value: unknown): { value: number; int: boolean } | undefined {
  if (typeof value === 'boolean') return { value: value ? 1 : 0, int: true };
  if (typeof value === 'number') return { value, int: Number.isInteger(value) };
  if (typeof value === 'bigint') return { value: Number(value), int: true };
  if (isJsonFloat(value)) return { value: value.value, int: false };
  return undefined;
}

/** The value stored for `key`, or undefined when its JSON type is wrong for the key. */
function coerce(key: ConfigKey, value: unknown): unknown {
  if (value === null) return null;
  switch (KINDS[key]) {
    case 'int': {
      const n = numberOf(value);
      return n?.int ? n.value : undefined;
    }
    case 'float':
      return numberOf(value)?.value;
    case 'bool':
      return typeof value === 'boolean' ? value : undefined;
    case 'string':
    case 'nullable-string':
      return typeof value === 'string' ? value : undefined;
    case 'string-list':
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? [...value] : undefined;
  }
}

const TYPE_MESSAGES: Record<Kind, string> = {
  int: 'Must be an integer',
  float: 'Must be a number',
  bool: 'Must be a boolean (true/false)',
  string: 'Must be a string',
  'nullable-string': 'Must be a string or null',
  'string-list': 'Must be a list of strings',
};

/** The effective configuration: the session's value where set, else the server default. */
export function effectiveConfig(values: ConfigValues, defaults: SessionConfig): SessionConfig {
  const out: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const value = values[key] ?? defaults[key];
    // Keys with neither a session value nor a default (fuzzy threshold, affinity emotive) are omitted.
    if (value !== undefined && value !== null) out[key] = Array.isArray(value) ? [...value] : value;
  }
  out.stm_mode = normaliseStmMode(out.stm_mode);
  return out as unknown as SessionConfig;
}

/** KATO treats any STM mode other than CLEAR and ROLLING as CLEAR. */
export function normaliseStmMode(mode: unknown): 'CLEAR' | 'ROLLING' {
  return mode === 'ROLLING' ? 'ROLLING' : 'CLEAR';
}

function inRange(n: number, min: number, max = Infinity): boolean {
  return n >= min && n <= max;
}

/** The creation validator's range check of one stored value (spec §4.3, table of §4.1). */
function creationValid(key: ConfigKey, v: unknown): boolean {
  if (v === null) return true;
  switch (key) {
    case 'max_pattern_length':
      return inRange(v as number, 0);
    case 'persistence':
      return inRange(v as number, 1, 100);
    case 'recall_threshold':
    case 'fuzzy_token_threshold':
    case 'length_min_ratio':
    case 'jaccard_threshold':
    case 'minhash_threshold':
      return inRange(v as number, 0, 1);
    case 'indexer_type':
      return (INDEXER_TYPES as readonly string[]).includes(v as string);
    case 'max_predictions':
      return inRange(v as number, 1, 10000);
    case 'rank_sort_algo':
      return (RANK_SORT_ALGOS as readonly string[]).includes(v as string);
    case 'filter_pipeline':
      return (v as string[]).every((stage) => (FILTER_STAGES as readonly string[]).includes(stage));
    case 'length_max_ratio':
      return inRange(v as number, 1);
    case 'jaccard_min_overlap':
      return inRange(v as number, 1);
    case 'minhash_bands':
      return inRange(v as number, 1, 100);
    case 'minhash_rows':
      return inRange(v as number, 1, 20);
    case 'minhash_num_hashes':
      return inRange(v as number, 10, 256);
    case 'bloom_false_positive_rate':
      return inRange(v as number, 0.0001, 0.1);
    case 'max_candidates_per_stage':
      return inRange(v as number, 100);
    default:
      return true;
  }
}

/**
 * Session creation (`POST /sessions` `config`): applies the known keys, then validates the whole
 * set; if anything is invalid every supplied value is dropped silently (KATO's behaviour).
 */
export function applyCreationConfig(supplied: Record<string, unknown> | null | undefined): ConfigValues {
  const values: Record<string, unknown> = {};
  if (!supplied) return {};
  for (const [key, raw] of Object.entries(supplied)) {
    if (!isConfigKey(key)) continue;
    const value = coerce(key, raw);
    if (value === undefined || !creationValid(key, value)) return {};
    values[key] = key === 'stm_mode' && value !== null ? normaliseStmMode(value) : value;
  }
  return values as ConfigValues;
}

/** Field → message for every invalid value of a config update (empty when valid). */
export type ConfigErrors = Record<string, string>;

/**
 * The update validator (`POST /sessions/{id}/config`): KATO's range checks with its exact messages,
 * plus a type check of the keys KATO stores unchecked, so a bad value never reaches a prediction.
 */
export function validateConfigUpdate(update: Record<string, unknown>): ConfigErrors {
  const errors: ConfigErrors = {};
  const number = (key: string) => (key in update ? numberOf(update[key]) : undefined);
  if ('recall_threshold' in update) {
    const n = number('recall_threshold');
    if (!n || !inRange(n.value, 0, 1)) errors.recall_threshold = 'Must be a number between 0.0 and 1.0';
  }
  const intChecks: [string, number, number, string][] = [
    ['persistence', 1, 100, 'Must be an integer between 1 and 100'],
    ['max_pattern_length', 0, Infinity, 'Must be a non-negative integer'],
    ['max_predictions', 1, 10000, 'Must be an integer between 1 and 10000'],
  ];
  for (const [key, min, max, message] of intChecks) {
    if (!(key in update)) continue;
    const n = number(key);
    if (!n || !n.int || !inRange(n.value, min, max)) errors[key] = message;
  }
  if ('indexer_type' in update && !(INDEXER_TYPES as readonly unknown[]).includes(update.indexer_type)) {
    errors.indexer_type = `Must be one of: ${INDEXER_TYPES.join(', ')}`;
  }
  if ('stm_mode' in update && typeof update.stm_mode !== 'string') errors.stm_mode = 'Must be a string';
  for (const key of ['sort', 'process_predictions', 'use_token_matching']) {
    if (key in update && typeof update[key] !== 'boolean') errors[key] = 'Must be a boolean (true/false)';
  }
  if ('rank_sort_algo' in update && !(RANK_SORT_ALGOS as readonly unknown[]).includes(update.rank_sort_algo)) {
    errors.rank_sort_algo = `Must be one of: ${RANK_SORT_ALGOS.join(', ')}`;
  }
  for (const [key, value] of Object.entries(update)) {
    if (!isConfigKey(key) || key in errors) continue;
    if (coerce(key, value) === undefined) errors[key] = TYPE_MESSAGES[KINDS[key]];
  }
  return errors;
}

/**
 * Applies a validated update to the session's values: `use_token_matching` without
 * `sort_symbols` sets both (KATO's auto-toggle); invalid STM modes become CLEAR; unknown keys
 * are ignored. Returns the new values.
 */
export function applyConfigUpdate(values: ConfigValues, update: Record<string, unknown>): ConfigValues {
  const out: Record<string, unknown> = { ...values };
  for (const [key, raw] of Object.entries(update)) {
    if (!isConfigKey(key)) continue;
    const value = coerce(key, raw);
    if (value === undefined) continue;
    out[key] = key === 'stm_mode' && value !== null ? normaliseStmMode(value) : value;
  }
  if ('use_token_matching' in update && !('sort_symbols' in update)) out.sort_symbols = out.use_token_matching;
  return out as ConfigValues;
}
