/**
 * Server options with their defaults written once, and how they come from the environment
 * (KATO's variable names: SERVICE_NAME, SESSION_TTL, MAX_PATTERN_LENGTH, PERSISTENCE, …).
 */
import { ValidationError } from '../errors.js';
import { applyCreationConfig, CONFIG_KEYS, DEFAULT_CONFIG, effectiveConfig } from '../engine/processor/config.js';
import type { SessionConfig } from '../engine/types.js';
import type { Store } from '../store/types.js';

/** Everything `buildServer` and `startServer` accept. */
export interface ServerOptions {
  /** TCP port (0 picks a free one). */
  port: number;
  host: string;
  /** Data directory of the SQLite store (ignored when `store` is given). */
  dataDir: string;
  /** Base of every kb_id (`SERVICE_NAME`). */
  serviceName: string;
  /** Default session TTL in seconds (`SESSION_TTL`). */
  sessionTtlSeconds: number;
  /** Slide a session's expiry on every access (`SESSION_AUTO_EXTEND`). */
  sessionAutoExtend: boolean;
  /** Largest accepted request body in bytes. */
  bodyLimitBytes: number;
  /** When non-empty, every route but /health needs one of these in `X-API-Key`. */
  apiKeys: string[];
  /** Server-level session config defaults. */
  defaults: SessionConfig;
  /** pino level, or false for no logs. */
  logLevel: string | false;
  /** An open store to use instead of opening `dataDir` (the caller keeps ownership). */
  store?: Store;
  /** Clock in epoch milliseconds for session lifetimes (tests pin it; default Date.now). */
  clock?: () => number;
}

export const DEFAULT_OPTIONS: Omit<ServerOptions, 'store' | 'clock'> = {
  port: 8000,
  host: '0.0.0.0',
  dataDir: './kato-data',
  serviceName: 'kato',
  sessionTtlSeconds: 3600,
  sessionAutoExtend: true,
  bodyLimitBytes: 16 * 1024 * 1024,
  apiKeys: [],
  defaults: DEFAULT_CONFIG,
  logLevel: 'info',
};

type Env = Record<string, string | undefined>;

/** An environment variable by its upper- or lower-case name (pydantic-settings is case-insensitive). */
function envValue(env: Env, name: string): string | undefined {
  const value = env[name.toUpperCase()] ?? env[name.toLowerCase()];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function parseBool(name: string, text: string): boolean {
  const t = text.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(t)) return true;
  if (['false', '0', 'no', 'off'].includes(t)) return false;
  throw new ValidationError(`${name}: expected true or false, got ${JSON.stringify(text)}`, { field: name });
}

function parseInteger(name: string, text: string, min: number): number {
  const n = Number(text);
  if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) {
    throw new ValidationError(`${name}: expected an integer ≥ ${min}, got ${JSON.stringify(text)}`, { field: name });
  }
  return n;
}

/** Bytes from `1048576`, `512kb`, `16mb`, `1gb` (binary units), at least 1 KiB. */
export function parseBytes(name: string, text: string): number {
  const match = /^(\d+)\s*(b|kb|k|kib|mb|m|mib|gb|g|gib)?$/i.exec(text.trim());
  const unit = (match?.[2] ?? 'b').toLowerCase()[0];
  const scale = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  const n = match ? Number(match[1]) * scale : NaN;
  if (!Number.isSafeInteger(n) || n < 1024) {
    throw new ValidationError(`${name}: expected a size of at least 1kb such as 1048576 or 16mb, got ${JSON.stringify(text)}`, { field: name });
  }
  return n;
}

function parseConfigValue(key: string, text: string): unknown {
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text);
    } catch {
      throw new ValidationError(`${key.toUpperCase()}: not a JSON list: ${text}`, { field: key.toUpperCase() });
    }
  }
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  if (/^[+-]?\d+$/.test(text)) return Number(text);
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  return text;
}

/** Session config defaults from KATO's environment variables, validated like a session's config. */
export function configDefaultsFromEnv(env: Env): SessionConfig {
  const values: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const text = envValue(env, key);
    if (text === undefined) continue;
    let value = parseConfigValue(key, text);
    // Comma lists are accepted for the filter pipeline (FILTER_PIPELINE=length,jaccard).
    if (key === 'filter_pipeline' && typeof value === 'string') value = value.split(',').map((s) => s.trim()).filter(Boolean);
    // A float-typed key given as an integer is still valid (RECALL_THRESHOLD=1).
    const checked = applyCreationConfig({ [key]: value });
    if (!(key in checked)) {
      throw new ValidationError(`${key.toUpperCase()}: invalid value ${JSON.stringify(text)}`, { field: key.toUpperCase() });
    }
    values[key] = checked[key as keyof typeof checked];
  }
  return effectiveConfig(values, DEFAULT_CONFIG);
}

/** Options from the environment (flags override these in `kato serve`). */
export function optionsFromEnv(env: Env = process.env): Omit<ServerOptions, 'store' | 'clock'> {
  const ttl = envValue(env, 'SESSION_TTL');
  const autoExtend = envValue(env, 'SESSION_AUTO_EXTEND');
  const port = envValue(env, 'PORT');
  const bodyLimit = envValue(env, 'KATO_BODY_LIMIT');
  const keys = envValue(env, 'KATO_API_KEYS');
  const logLevel = envValue(env, 'LOG_LEVEL');
  return {
    port: port ? parseInteger('PORT', port, 0) : DEFAULT_OPTIONS.port,
    host: envValue(env, 'HOST') ?? DEFAULT_OPTIONS.host,
    dataDir: envValue(env, 'KATO_DATA_DIR') ?? DEFAULT_OPTIONS.dataDir,
    serviceName: envValue(env, 'SERVICE_NAME') ?? DEFAULT_OPTIONS.serviceName,
    sessionTtlSeconds: ttl ? parseInteger('SESSION_TTL', ttl, 1) : DEFAULT_OPTIONS.sessionTtlSeconds,
    sessionAutoExtend: autoExtend ? parseBool('SESSION_AUTO_EXTEND', autoExtend) : DEFAULT_OPTIONS.sessionAutoExtend,
    bodyLimitBytes: bodyLimit ? parseBytes('KATO_BODY_LIMIT', bodyLimit) : DEFAULT_OPTIONS.bodyLimitBytes,
    apiKeys: keys ? keys.split(',').map((k) => k.trim()).filter(Boolean) : [],
    defaults: configDefaultsFromEnv(env),
    logLevel: logLevel ? logLevel.toLowerCase() : DEFAULT_OPTIONS.logLevel,
  };
}
