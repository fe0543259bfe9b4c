/**
 * `kato serve`: the KATO v3-compatible HTTP server over a data directory, configured by flags
 * and KATO's environment variables; runs until SIGTERM/SIGINT, then shuts down gracefully.
 */
import { Option, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { ValidationError } from '../../errors.js';
import { databasePath } from '../../store/index.js';
import { parseBytes } from '../../server/options.js';
import { optionsFromEnv, serveUntilSignal, startServer, type ServerOptions } from '../../server/index.js';

interface ServeFlags {
  port?: string;
  host?: string;
  dataDir?: string;
  serviceName?: string;
  sessionTtl?: string;
  bodyLimit?: string;
  apiKey: string[];
  logLevel?: string;
}

function integerFlag(name: string, text: string, min: number, max: number = Number.MAX_SAFE_INTEGER): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new ValidationError(`--${name}: expected an integer ${range}, got ${JSON.stringify(text)}`, { flag: name });
  }
  return n;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Flags over environment over defaults. */
export function serveOptions(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): Omit<ServerOptions, 'store' | 'clock'> {
  const base = optionsFromEnv(env);
  const logLevel = flags.logLevel ?? (base.logLevel || 'info');
  if (!LOG_LEVELS.includes(logLevel)) {
    const source = flags.logLevel !== undefined ? '--log-level' : 'LOG_LEVEL';
    throw new ValidationError(`${source}: expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`, { flag: 'log-level' });
  }
  if (base.port > 65535) throw new ValidationError(`PORT: expected an integer from 0 to 65535, got ${base.port}`, { flag: 'port' });
  return {
    ...base,
    port: flags.port !== undefined ? integerFlag('port', flags.port, 0, 65535) : base.port,
    host: flags.host ?? base.host,
    dataDir: flags.dataDir ?? base.dataDir,
    serviceName: flags.serviceName ?? base.serviceName,
    sessionTtlSeconds: flags.sessionTtl !== undefined ? integerFlag('session-ttl', flags.sessionTtl, 1) : base.sessionTtlSeconds,
    bodyLimitBytes: flags.bodyLimit !== undefined ? parseBytes('--body-limit', flags.bodyLimit) : base.bodyLimitBytes,
    apiKeys: flags.apiKey.length > 0 ? flags.apiKey : base.apiKeys,
    logLevel: logLevel === 'silent' ? false : logLevel,
  };
}

/** Registers `kato serve`. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve a data directory over the KATO v3 HTTP API (sessions, observe, learn, predictions)')
    .option('--port <port>', 'TCP port, 0 for any free port (env PORT)', undefined)
    .option('--host <host>', 'interface to listen on (env HOST)', undefined)
    .option('--data-dir <dir>', 'data directory of the knowledge bases and sessions (env KATO_DATA_DIR)', undefined)
    .option('--service-name <name>', 'base of every kb_id, as KATO derives them (env SERVICE_NAME)', undefined)
    .option('--session-ttl <seconds>', 'default session time to live, sliding on every access (env SESSION_TTL)', undefined)
    .option('--body-limit <bytes>', 'largest request body, e.g. 16mb (env KATO_BODY_LIMIT)', undefined)
    .addOption(
      new Option('--api-key <key>', 'require this key in the X-API-Key header on every route but /health; repeatable (env KATO_API_KEYS, comma-separated)')
        .argParser((key: string, keys: string[]) => [...keys, key])
        .default([], 'none'),
    )
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (env LOG_LEVEL)', undefined)
    .addHelpText(
      'after',
      `
Defaults: port 8000, host 0.0.0.0, data dir ./kato-data, service name kato, session TTL 3600 s,
body limit 16mb, no API key, log level info. Logs are JSON lines (pino) on stdout.

Session config defaults come from KATO's variables: MAX_PATTERN_LENGTH, PERSISTENCE,
RECALL_THRESHOLD, STM_MODE, MAX_PREDICTIONS, SORT_SYMBOLS, PROCESS_PREDICTIONS,
USE_TOKEN_MATCHING, RANK_SORT_ALGO, FUZZY_TOKEN_THRESHOLD, INDEXER_TYPE, FILTER_PIPELINE, …
(any session config key in upper case); SESSION_AUTO_EXTEND=false stops sliding expiry.

Docs: GET /docs (OpenAPI at /openapi.json). Metrics: GET /metrics (KATO JSON),
GET /metrics/prometheus (Prometheus text; also /metrics with Accept: text/plain).
Sessions live in the data directory: after a crash or restart every unexpired session
continues under the same id. SIGTERM/SIGINT: stop accepting, finish in-flight requests,
close the store, exit 0.`,
    )
    .action(async (flags: ServeFlags) => {
      const options = serveOptions(flags);
      // A data directory without a database is created empty: said at start, so a mistyped
      // --data-dir does not pass for a knowledge base without patterns.
      const created = !existsSync(databasePath(options.dataDir));
      const server = await startServer(options).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE') {
          throw new ValidationError(`port ${options.port} on ${options.host} is already in use (choose another with --port)`, { flag: 'port' });
        }
        if (err.code === 'EACCES') throw new ValidationError(`not allowed to listen on port ${options.port} (--port)`, { flag: 'port' });
        if (err.code === 'ENOTFOUND' || err.code === 'EADDRNOTAVAIL' || err.code === 'EAI_AGAIN') {
          throw new ValidationError(`cannot listen on host ${JSON.stringify(options.host)}: not an address of this machine (--host)`, { flag: 'host' });
        }
        throw err;
      });
      const dataDir = created ? `new empty data dir ${options.dataDir}` : `data dir ${options.dataDir}`;
      process.stdout.write(`kato serve: listening on ${server.url} (${dataDir}, service ${options.serviceName})\n`);
      const signal = await serveUntilSignal(server);
      process.stdout.write(`kato serve: stopped on ${signal}\n`);
    });
}
