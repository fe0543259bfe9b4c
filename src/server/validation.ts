/**
 * Request validation at the edge: route JSON Schemas (also the OpenAPI docs) interpreted over
 * losslessly parsed bodies, answering FastAPI's 422 `{"detail": [{type, loc, msg, input}]}`.
 */
import { isLosslessNumber } from 'lossless-json';
import { setOwn, toJsonValue } from './json.js';

/** The JSON Schema subset routes use. */
export interface Schema {
  type?: SchemaType | SchemaType[];
  properties?: Record<string, Schema>;
  required?: string[];
  /** A schema for every other key (a dict); `true` keeps them as free JSON. */
  additionalProperties?: boolean | Schema;
  items?: Schema;
  default?: unknown;
  description?: string;
  minimum?: number;
  examples?: unknown[];
}

type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';

/** One FastAPI/pydantic validation error item. */
export interface ErrorItem {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

/** A request that failed validation; the error handler answers 422 with its items. */
export class RequestValidationError extends Error {
  readonly items: ErrorItem[];
  constructor(items: ErrorItem[]) {
    super(items.map((i) => `${i.loc.join('.')}: ${i.msg}`).join('; '));
    this.items = items;
  }
}

/** A body that is not JSON (malformed text, or a non-JSON content type). */
export class UnparsedBody {
  readonly text: string;
  readonly error: { message: string; position: number } | null;
  constructor(text: string, error: { message: string; position: number } | null) {
    this.text = text;
    this.error = error;
  }
}

/** Where the value being validated came from: JSON keeps types, query strings are text. */
type Source = 'json' | 'query';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A value for the `input` field of an error item (plain JSON, numbers as numbers). */
function inputOf(value: unknown): unknown {
  const v = toJsonValue(value);
  return v === undefined ? String(value) : v;
}

function typesOf(schema: Schema): SchemaType[] {
  if (schema.type === undefined) return [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

class Validator {
  readonly errors: ErrorItem[] = [];
  constructor(private readonly source: Source) {}

  fail(type: string, loc: (string | number)[], msg: string, input: unknown, ctx?: Record<string, unknown>): undefined {
    const item: ErrorItem = { type, loc, msg, input: inputOf(input) };
    if (ctx) item.ctx = ctx;
    this.errors.push(item);
    return undefined;
  }

  /** The validated (and converted) value, or undefined after recording errors. */
  check(value: unknown, schema: Schema, loc: (string | number)[]): unknown {
    const types = typesOf(schema);
    if (value === null && types.includes('null')) return null;
    const type = types.find((t) => t !== 'null');
    switch (type) {
      case undefined:
        return this.free(value, loc);
      case 'string':
        return this.string(value, loc);
      case 'integer':
        return this.integer(value, loc);
      case 'number':
        return this.number(value, loc);
      case 'boolean':
        return this.boolean(value, loc);
      case 'array':
        return this.array(value, schema, loc);
      case 'object':
        return this.object(value, schema, loc);
    }
  }

  free(value: unknown, loc: (string | number)[]): unknown {
    const converted = toJsonValue(value);
    if (converted === undefined) return this.fail('finite_number', loc, 'Input should be a finite number', value);
    if (hasLoneSurrogate(converted)) {
      return this.fail('string_unicode', loc, 'Input should be a valid string, unable to parse raw data as a unicode string', value);
    }
    return converted;
  }

  string(value: unknown, loc: (string | number)[]): unknown {
    if (typeof value !== 'string') return this.fail('string_type', loc, 'Input should be a valid string', value);
    if (LONE_SURROGATE.test(value)) {
      return this.fail('string_unicode', loc, 'Input should be a valid string, unable to parse raw data as a unicode string', value);
    }
    return value;
  }

  integer(value: unknown, loc: (string | number)[]): unknown {
    let text: string;
    if (isLosslessNumber(value)) text = value.value;
    else if (this.source === 'query' && typeof value === 'string') text = value.trim();
    else return this.fail('int_type', loc, 'Input should be a valid integer', value);
    const n = Number(text);
    if (text === '' || !Number.isFinite(n) || (this.source === 'query' && !/^[+-]?\d+(\.0*)?$/.test(text))) {
      return this.source === 'query'
        ? this.fail('int_parsing', loc, 'Input should be a valid integer, unable to parse string as an integer', value)
        : this.fail('finite_number', loc, 'Input should be a finite number', value);
    }
    if (!Number.isInteger(n)) {
      return this.fail('int_from_float', loc, 'Input should be a valid integer, got a number with a fractional part', value);
    }
    if (!Number.isSafeInteger(n)) {
      return this.fail('int_too_large', loc, 'Input should be between -9007199254740991 and 9007199254740991', value);
    }
    return n;
  }

  number(value: unknown, loc: (string | number)[]): unknown {
    let text: string;
    if (isLosslessNumber(value)) text = value.value;
    else if (this.source === 'query' && typeof value === 'string') text = value.trim();
    else return this.fail('float_type', loc, 'Input should be a valid number', value);
    const n = Number(text);
    if (text === '' || Number.isNaN(n)) {
      return this.fail('float_parsing', loc, 'Input should be a valid number, unable to parse string as a number', value);
    }
    if (!Number.isFinite(n)) return this.fail('finite_number', loc, 'Input should be a finite number', value);
    return n;
  }

  boolean(value: unknown, loc: (string | number)[]): unknown {
    if (typeof value === 'boolean') return value;
    if (this.source === 'query' && typeof value === 'string') {
      const text = value.toLowerCase();
      if (['true', '1', 'yes', 'on', 't', 'y'].includes(text)) return true;
      if (['false', '0', 'no', 'off', 'f', 'n'].includes(text)) return false;
      return this.fail('bool_parsing', loc, 'Input should be a valid boolean, unable to interpret input', value);
    }
    return this.fail('bool_type', loc, 'Input should be a valid boolean', value);
  }

  array(value: unknown, schema: Schema, loc: (string | number)[]): unknown {
    if (!Array.isArray(value)) return this.fail('list_type', loc, 'Input should be a valid list', value);
    const before = this.errors.length;
    const out = value.map((item, i) => (schema.items ? this.check(item, schema.items, [...loc, i]) : this.free(item, [...loc, i])));
    return this.errors.length === before ? out : undefined;
  }

  object(value: unknown, schema: Schema, loc: (string | number)[]): unknown {
    const isModel = schema.properties !== undefined;
    if (value === null || typeof value !== 'object' || Array.isArray(value) || isLosslessNumber(value)) {
      return isModel
        ? this.fail('model_attributes_type', loc, 'Input should be a valid dictionary or object to extract fields from', value)
        : this.fail('dict_type', loc, 'Input should be a valid dictionary', value);
    }
    const input = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    const before = this.errors.length;
    for (const [key, propSchema] of Object.entries(schema.properties ?? {})) {
      if (!Object.hasOwn(input, key)) {
        if (schema.required?.includes(key)) this.fail('missing', [...loc, key], 'Field required', value);
        else if (propSchema.default !== undefined) setOwn(out, key, structuredClone(propSchema.default));
        continue;
      }
      setOwn(out, key, this.check(input[key], propSchema, [...loc, key]));
    }
    const extra = schema.additionalProperties;
    if (extra !== undefined && extra !== false) {
      for (const [key, item] of Object.entries(input)) {
        if (schema.properties && Object.hasOwn(schema.properties, key)) continue;
        if (LONE_SURROGATE.test(key)) {
          this.fail('string_unicode', [...loc, key], 'Input should be a valid string, unable to parse raw data as a unicode string', key);
          continue;
        }
        setOwn(out, key, extra === true ? this.free(item, [...loc, key]) : this.check(item, extra, [...loc, key]));
      }
    }
    // Models ignore unknown keys, as pydantic does by default.
    return this.errors.length === before ? out : undefined;
  }
}

function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([k, v]) => LONE_SURROGATE.test(k) || hasLoneSurrogate(v));
  }
  return false;
}

/**
 * Validates a request body against its schema. A missing body for a required schema, malformed
 * JSON and non-JSON bodies give the same error items FastAPI does.
 */
export function validateBody(body: unknown, schema: Schema, required: boolean): unknown {
  if (body instanceof UnparsedBody) {
    if (body.error) {
      throw new RequestValidationError([
        {
          type: 'json_invalid',
          loc: ['body', body.error.position],
          msg: 'JSON decode error',
          input: {},
          ctx: { error: body.error.message },
        },
      ]);
    }
    const v = new Validator('json');
    v.fail('model_attributes_type', ['body'], 'Input should be a valid dictionary or object to extract fields from', body.text);
    throw new RequestValidationError(v.errors);
  }
  if (body === undefined || body === null) {
    if (!required) return validateBody({}, schema, true);
    throw new RequestValidationError([{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }]);
  }
  const v = new Validator('json');
  const value = v.check(body, schema, ['body']);
  if (v.errors.length > 0) throw new RequestValidationError(v.errors);
  return value;
}

/** Validates query parameters (strings) against an object schema, converting types. */
export function validateQuery(query: unknown, schema: Schema): Record<string, unknown> {
  const v = new Validator('query');
  const input = (query ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, propSchema] of Object.entries(schema.properties ?? {})) {
    let raw = input[key];
    // A repeated parameter takes its last value, as Starlette's query params do.
    if (Array.isArray(raw)) raw = raw[raw.length - 1];
    if (raw === undefined) {
      if (schema.required?.includes(key)) v.fail('missing', ['query', key], 'Field required', null);
      else if (propSchema.default !== undefined) out[key] = propSchema.default;
      continue;
    }
    out[key] = v.check(raw, propSchema, ['query', key]);
  }
  if (v.errors.length > 0) throw new RequestValidationError(v.errors);
  return out;
}
