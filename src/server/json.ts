/**
 * JSON in and out as KATO's Python server speaks it: request numbers keep their int/float kind
 * (lossless parse), and response floats print the way Python's json does (`1.0`, `1e-05`).
 */
import { isLosslessNumber, parse as parseLossless, type LosslessNumber } from 'lossless-json';
import { JsonFloat, type JsonValue } from '../engine/processor/json-value.js';
import { pyFloatRepr } from '../engine/pyrepr.js';

/**
 * Keys whose numbers Python computes as floats. Every number below such a key prints with a
 * fraction or exponent — prediction metrics, emotive and affinity dicts, percept vectors, config
 * ratios and monitoring figures.
 */
const FLOAT_KEYS: ReadonlySet<string> = new Set([
  'similarity',
  'evidence',
  'confidence',
  'snr',
  'fragmentation',
  'potential',
  '_pre_potential',
  'confluence',
  'itfdf_similarity',
  'tfidf_score',
  'entropy',
  'normalized_entropy',
  'global_normalized_entropy',
  'predictive_information',
  'pattern_probability',
  'weighted_strength',
  'bayesian_posterior',
  'bayesian_prior',
  'bayesian_likelihood',
  'weighted_similarity',
  'weighted_evidence',
  'weighted_confidence',
  'weighted_snr',
  'aggregate_potential',
  'total_weighted_frequency',
  'emotives',
  'affinity',
  'affinities',
  'vectors',
  'recall_threshold',
  'fuzzy_token_threshold',
  'length_min_ratio',
  'length_max_ratio',
  'jaccard_threshold',
  'minhash_threshold',
  'bloom_false_positive_rate',
  'uptime_seconds',
  'time_ms',
  'timestamp',
  'last_collection',
  'cpu_percent',
  'memory_percent',
  'disk_percent',
  'error_rate',
  'average_response_time',
  'avg_response_time',
  'idle_seconds',
  'rates',
  'min',
  'max',
  'avg',
  'value',
]);

/** Keys whose values are user data, printed exactly as they arrived (no float keys apply). */
const RAW_KEYS: ReadonlySet<string> = new Set(['metadata', 'labels']);

type Mode = 'normal' | 'float' | 'raw';

function numberText(n: number, asFloat: boolean): string {
  // Python's json refuses NaN and infinities; null is the only valid JSON for them.
  if (!Number.isFinite(n)) return 'null';
  const integral = Number.isInteger(n);
  if (asFloat || !integral) {
    const abs = Math.abs(n);
    // Between 1e-4 and 1e16 JavaScript and Python print the same shortest digits positionally.
    if (abs >= 1e-4 && abs < 1e16) return integral ? `${n}.0` : String(n);
    return pyFloatRepr(n);
  }
  return Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString();
}

// Numbers whose Python spelling differs from JavaScript's travel through JSON.stringify as marked
// strings and are unwrapped afterwards; the per-process nonce keeps user strings from forging one.
const NONCE = Math.random().toString(36).slice(2, 10);
const MARK_OPEN = `\u0000${NONCE}:`;
const MARK_CLOSE = '\u0000';
const MARKED = new RegExp(`"\\\\u0000${NONCE}:([^"\\\\]*)\\\\u0000"`, 'g');

function marked(text: string): string {
  return MARK_OPEN + text + MARK_CLOSE;
}

/** The value JSON.stringify should write for a number under `mode`. */
function numberValue(n: number, asFloat: boolean): number | string | null {
  if (!Number.isFinite(n)) return null;
  if (asFloat || !Number.isInteger(n)) {
    const abs = Math.abs(n);
    // Between 1e-4 and 1e16 JavaScript and Python print the same shortest digits positionally.
    if (abs >= 1e-4 && abs < 1e16 && !Number.isInteger(n)) return n;
    return marked(numberText(n, true));
  }
  return Math.abs(n) < 1e21 ? n : marked(numberText(n, false));
}

function stringify(value: unknown, rootMode: Mode): string {
  // The mode of each object or array, set by the replacer before JSON.stringify descends into it.
  const modes = new WeakMap<object, Mode>();
  const replacer = function (this: unknown, key: string, v: unknown): unknown {
    const holder = this as object;
    const parentMode = key === '' && !modes.has(holder) ? rootMode : (modes.get(holder) ?? rootMode);
    let mode = parentMode;
    if (mode === 'normal' && key !== '' && !Array.isArray(holder)) {
      mode = RAW_KEYS.has(key) ? 'raw' : FLOAT_KEYS.has(key) ? 'float' : 'normal';
      // The single-symbol prediction (the one carrying pattern_data) has an integer fragmentation.
      if (key === 'fragmentation' && mode === 'float' && Object.hasOwn(holder, 'pattern_data')) mode = 'normal';
    }
    if (typeof v === 'number') return numberValue(v, mode === 'float');
    if (typeof v === 'bigint') return marked(v.toString());
    if (v instanceof JsonFloat) return numberValue(v.value, true);
    if (v instanceof Map) v = Object.fromEntries(v);
    if (v !== null && typeof v === 'object') modes.set(v, mode);
    return v;
  };
  const text = JSON.stringify(value, replacer) ?? 'null';
  return text.includes(NONCE) ? text.replace(MARKED, '$1') : text;
}

/** Compact UTF-8 JSON with Python's float spelling for the float-typed fields of KATO responses. */
export function pyJson(value: unknown): string {
  return stringify(value, 'normal');
}

/** Compact JSON of user data, numbers exactly as decoded (floats stay floats). */
export function rawJson(value: unknown): string {
  return stringify(value, 'raw');
}

/** Why a JSON value was refused while decoding. */
export class JsonDecodeError extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(message);
    this.position = position;
  }
}

/** Deepest nesting of arrays and objects a request may use (recursive code stays far from the stack limit). */
export const MAX_DEPTH = 512;

/** Position where the nesting of `text` first exceeds `limit`, or -1 (strings are skipped). */
function nestingBeyond(text: string, limit: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return -1;
}

/**
 * Parses JSON text keeping each number's source text (`LosslessNumber`). Throws JsonDecodeError
 * with the character position on malformed input.
 */
export function parseJsonText(text: string): unknown {
  const tooDeep = nestingBeyond(text, MAX_DEPTH);
  if (tooDeep >= 0) throw new JsonDecodeError(`nesting deeper than ${MAX_DEPTH} levels`, tooDeep);
  try {
    return parseLossless(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const match = /position (\d+)/.exec(message);
    throw new JsonDecodeError(message.replace(/ at position \d+$/, ''), match ? Number(match[1]) : 0);
  }
}

/** True for a number as the lossless parser keeps it. */
export function isNumberText(value: unknown): value is LosslessNumber {
  return isLosslessNumber(value);
}

/** True when a JSON number's text denotes a float (fraction or exponent). */
export function isFloatSyntax(text: string): boolean {
  return /[.eE]/.test(text);
}

/**
 * A losslessly parsed value as the engine's JsonValue: ints become numbers (bigint beyond 2^53),
 * floats JsonFloat. Returns undefined when a number is not finite as a double.
 */
export function toJsonValue(value: unknown): JsonValue | undefined {
  if (isLosslessNumber(value)) {
    const text = value.value;
    if (isFloatSyntax(text)) {
      const f = new JsonFloat(text);
      return Number.isFinite(f.value) ? f : undefined;
    }
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    for (const item of value) {
      const v = toJsonValue(item);
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [k, item] of Object.entries(value)) {
      const v = toJsonValue(item);
      if (v === undefined) return undefined;
      setOwn(out, k, v);
    }
    return out;
  }
  return value as JsonValue;
}

/** Sets an own enumerable property, even one named `__proto__` (a legal JSON key). */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Decodes JSON text written by `rawJson` back to the engine's JsonValue. */
export function decodeJsonValue(text: string): JsonValue {
  return toJsonValue(parseJsonText(text)) ?? null;
}
