/**
 * The client's HTTP transport: one undici keep-alive pool per server, JSON in and out,
 * per-operation timeouts, every call run through the retry policy and, on failure, a health wait.
 */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { Pool } from 'undici';
import { HttpStatusError, ServerUnavailableError } from './errors.js';
import { retryPolicy, type AttemptFailure, type RetryOptions, type RetryPolicy } from './retry.js';

/** Timeout classes: each operation names one, so a slow batch commit is not held to a read's limit. */
export type OperationKind = 'read' | 'write' | 'batch' | 'health';

/** Per-operation timeouts in milliseconds (headers and body each), plus the connect timeout. */
export interface Timeouts {
  connect: number;
  read: number;
  write: number;
  batch: number;
  health: number;
}

export const DEFAULT_TIMEOUTS: Readonly<Timeouts> = Object.freeze({
  connect: 5_000,
  read: 30_000,
  write: 60_000,
  batch: 300_000,
  health: 2_000,
});

/** What a client counts; the chaos test reads these to show retries happened and nothing was applied twice. */
export interface ClientCounters {
  /** Logical calls (one per method call, however many attempts it took). */
  requests: number;
  /** Attempts sent, retries included. */
  attempts: number;
  /** Attempts resent after a transient failure. */
  retries: number;
  /** Times the client waited for `/health` after a transient failure. */
  healthWaits: number;
  /** Sessions recreated (with config and STM) after the server reported them gone. */
  recoveries: number;
  /** Writes the server recognised by their idempotency key and answered from its record. */
  dedupHits: number;
  /** Training documents the server reported as already applied. */
  duplicateDocuments: number;
}

/** The logging surface the client needs; a pino logger fits it. */
export interface ClientLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
}

/** Options of a transport (and of every client built on one). */
export interface TransportOptions {
  /** Server base URL; a path prefix (`http://host/kato`) is kept on every request. */
  baseUrl: string;
  /** Keep-alive connections in the pool: size it to the number of calls in flight. */
  connections?: number;
  timeouts?: Partial<Timeouts>;
  /** The retry policy, or options to build one from the defaults. */
  retry?: RetryPolicy | Partial<RetryOptions>;
  logger?: ClientLogger;
  /** Headers sent on every request (e.g. an API key). */
  headers?: Record<string, string>;
  /** The server's API key, sent as `X-API-Key` (default: the `KATO_API_KEY` environment variable). */
  apiKey?: string;
  /** Stops waiting for the server's health (an interrupted command does not sit out the wait). */
  signal?: AbortSignal;
  /**
   * Whether a server that has not answered yet is waited for like one that restarts (default
   * true: a trainer may start before its server). When false, failing to connect before the
   * server's first answer fails the call at once with a ServerUnavailableError naming the URL,
   * as a one-shot command wants. Once the server has answered, restarts are waited for either way.
   */
  waitForServer?: boolean;
  /** Told when a wait for `/health` begins, instead of the logger's warning (a command's own line on stderr). */
  onHealthWait?: (wait: HealthWait) => void;
}

/** A wait for an unreachable server's `/health`, as it begins. */
export interface HealthWait {
  baseUrl: string;
  /** The longest the client waits before failing the call. */
  waitMs: number;
  /** Why the server looks away: an error code (e.g. `ECONNREFUSED`) or `status 503`. */
  last: string;
}

/** One HTTP call as the parts of the client describe it. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path under the base URL, starting with `/`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  kind: OperationKind;
  /** The write's idempotency key; the same key is sent on every attempt of the call. */
  idempotencyKey?: string;
  /** Error statuses returned to the caller instead of thrown (e.g. 404 for session recovery). */
  accept?: readonly number[];
}

/** A decoded reply. */
export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  body: T;
  /** The server answered from its idempotency record: the write had already been applied. */
  replayed: boolean;
}

/** Header the server sets on a reply it took from its idempotency record. */
export const REPLAYED_HEADER = 'idempotent-replayed';

/** Zeroed counters. */
export function emptyCounters(): ClientCounters {
  return { requests: 0, attempts: 0, retries: 0, healthWaits: 0, recoveries: 0, dedupHits: 0, duplicateDocuments: 0 };
}

/** A new idempotency key for one logical write. */
export function newIdempotencyKey(): string {
  return randomUUID();
}

/** The default logger: pino on stderr, level from KATO_LOG_LEVEL (default info). */
export function defaultLogger(): ClientLogger {
  return pino({ name: 'kato-client', level: process.env.KATO_LOG_LEVEL ?? 'info' }, pino.destination(2));
}

/** The error code of a transport failure: Node's, undici's, or that of its cause / first aggregated error. */
export function failureCode(err: unknown): string {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current !== null && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const record = current as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof record.code === 'string' && record.code !== 'UND_ERR') return record.code;
    if (Array.isArray(record.errors) && record.errors.length > 0) current = record.errors[0];
    else current = record.cause;
  }
  return 'UNKNOWN';
}

/** Failures to open a connection: the server is not there (yet), as opposed to one that went away mid-call. */
const CONNECT_FAILURES: Readonly<Record<string, string>> = Object.freeze({
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  EHOSTDOWN: 'host is down',
  ENETUNREACH: 'network unreachable',
  ENETDOWN: 'network is down',
});

/** A failure code (or `status N`) in words, e.g. `connection refused` for ECONNREFUSED. */
export function describeFailure(last: string): string {
  if (Object.hasOwn(CONNECT_FAILURES, last)) return CONNECT_FAILURES[last];
  if (last === 'ECONNRESET') return 'connection reset';
  return last;
}

/** Resolves after `ms`, or at once when `signal` aborts (the caller checks it). */
const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** JSON over one keep-alive pool, with the retry policy and health waits applied to every call. */
export class HttpTransport {
  readonly baseUrl: string;
  readonly policy: RetryPolicy;
  readonly timeouts: Readonly<Timeouts>;
  readonly logger: ClientLogger;
  readonly counters: ClientCounters = emptyCounters();
  private readonly pool: Pool;
  private readonly prefix: string;
  private readonly headers: Record<string, string>;
  private readonly signal: AbortSignal | undefined;
  private readonly waitForServer: boolean;
  private readonly onHealthWait: ((wait: HealthWait) => void) | undefined;
  /** The server has answered at least once (any status). */
  private reached = false;
  /** One health wait at a time: concurrent failed calls share it instead of each polling. */
  private healthWait: Promise<void> | null = null;

  constructor(options: TransportOptions) {
    const url = new URL(options.baseUrl);
    this.baseUrl = options.baseUrl;
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.policy = isPolicy(options.retry) ? options.retry : retryPolicy(options.retry);
    this.timeouts = Object.freeze({ ...DEFAULT_TIMEOUTS, ...options.timeouts });
    this.logger = options.logger ?? defaultLogger();
    this.signal = options.signal;
    this.waitForServer = options.waitForServer ?? true;
    this.onHealthWait = options.onHealthWait;
    const apiKey = options.apiKey ?? process.env.KATO_API_KEY;
    this.headers = { ...(apiKey ? { 'x-api-key': apiKey } : {}), ...options.headers };
    this.pool = new Pool(url.origin, {
      connections: Math.max(1, options.connections ?? 8),
      pipelining: 1,
      connect: { timeout: this.timeouts.connect },
      // Sockets idle longer than this are closed by us first, so a server's idle close rarely races a send.
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 60_000,
    });
  }

  /** Sends one logical call: retried per the policy, waiting for `/health` between attempts when the server is away. */
  async send<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>> {
    this.counters.requests++;
    const headers: Record<string, string> = { ...this.headers, accept: 'application/json' };
    let payload: string | undefined;
    if (request.body !== undefined) {
      payload = JSON.stringify(request.body);
      headers['content-type'] = 'application/json';
    }
    if (request.idempotencyKey !== undefined) headers[this.policy.options.idempotencyHeader] = request.idempotencyKey;
    const path = this.fullPath(request);
    const started = Date.now();
    const deadline = started + this.policy.options.deadlineMs;
    const timeout = this.timeouts[request.kind];
    for (let attempt = 1; ; attempt++) {
      this.counters.attempts++;
      let failure: AttemptFailure;
      let lastError: unknown;
      try {
        const limit = Math.max(1, Math.min(timeout, deadline - Date.now()));
        const response = await this.pool.request({
          path,
          method: request.method,
          headers,
          body: payload,
          headersTimeout: limit,
          bodyTimeout: limit,
        });
        this.reached = true;
        const body = await decodeBody(response.body, response.headers['content-type']);
        const replyHeaders = flatHeaders(response.headers);
        const replayed = replyHeaders[REPLAYED_HEADER] === 'true';
        if (response.statusCode < 400 || request.accept?.includes(response.statusCode)) {
          if (replayed) this.counters.dedupHits++;
          return { status: response.statusCode, headers: replyHeaders, body: body as T, replayed };
        }
        failure = { kind: 'status', status: response.statusCode };
        lastError = new HttpStatusError(request.method, path, response.statusCode, body);
      } catch (err) {
        failure = { kind: 'error', code: failureCode(err) };
        lastError = err;
        if (!this.waitForServer && !this.reached && Object.hasOwn(CONNECT_FAILURES, failure.code)) {
          throw new ServerUnavailableError(
            `cannot reach kato server at ${this.baseUrl}: ${describeFailure(failure.code)}`,
            { baseUrl: this.baseUrl, method: request.method, path, failure },
            { cause: err },
          );
        }
      }
      const decision = this.policy.decide({ method: request.method, headers }, failure, attempt, Date.now() - started);
      if (!decision.retry) throw this.finalError(request, path, failure, lastError, attempt, decision.reason);
      this.counters.retries++;
      this.logger.debug({ method: request.method, path, attempt, failure, delayMs: decision.delayMs }, 'retrying a transient failure');
      await sleep(decision.delayMs);
      await this.waitForHealth(Math.min(this.policy.options.healthWaitMs, deadline - Date.now()));
    }
  }

  /**
   * Resolves once `GET /health` answers 200, polling every `healthPollMs`; throws
   * ServerUnavailableError when `waitMs` passes first.
   */
  async waitForHealth(waitMs: number = this.policy.options.healthWaitMs): Promise<void> {
    if (!this.healthWait) {
      this.healthWait = this.pollHealth(waitMs).finally(() => {
        this.healthWait = null;
      });
    }
    return this.healthWait;
  }

  private async pollHealth(waitMs: number): Promise<void> {
    this.counters.healthWaits++;
    const started = Date.now();
    let announced = false;
    let last: unknown = null;
    for (;;) {
      try {
        const response = await this.pool.request({
          path: `${this.prefix}/health`,
          method: 'GET',
          headers: { ...this.headers, accept: 'application/json' },
          headersTimeout: this.timeouts.health,
          bodyTimeout: this.timeouts.health,
        });
        await response.body.dump();
        this.reached = true;
        if (response.statusCode === 200) {
          if (announced) this.logger.info({ baseUrl: this.baseUrl, waitedMs: Date.now() - started }, 'server is healthy again; carrying on');
          return;
        }
        last = `status ${response.statusCode}`;
      } catch (err) {
        last = failureCode(err);
      }
      const elapsed = Date.now() - started;
      this.throwIfInterrupted(elapsed, last);
      if (elapsed >= waitMs) {
        throw new ServerUnavailableError(
          `kato server at ${this.baseUrl} did not answer /health within ${Math.round(waitMs / 1000)} s (last: ${describeFailure(String(last))})`,
          {
            baseUrl: this.baseUrl,
            waitedMs: elapsed,
            last,
          },
        );
      }
      if (!announced) {
        announced = true;
        if (this.onHealthWait) this.onHealthWait({ baseUrl: this.baseUrl, waitMs, last: String(last) });
        else this.logger.warn({ baseUrl: this.baseUrl, last, waitMs }, 'server unreachable; waiting for /health');
      }
      await sleep(Math.min(this.policy.options.healthPollMs, Math.max(0, waitMs - elapsed)), this.signal);
    }
  }

  private throwIfInterrupted(waitedMs: number, last: unknown): void {
    if (!this.signal?.aborted) return;
    throw new ServerUnavailableError(`interrupted while waiting for ${this.baseUrl} to answer /health (last: ${describeFailure(String(last))})`, {
      baseUrl: this.baseUrl,
      waitedMs,
      last,
      interrupted: true,
    });
  }

  /** Closes the pool (in-flight calls finish first). */
  async close(): Promise<void> {
    await this.pool.close();
  }

  private fullPath(request: HttpRequest): string {
    let path = this.prefix + request.path;
    if (request.query) {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(request.query)) if (value !== undefined) params.set(name, String(value));
      const text = params.toString();
      if (text !== '') path += `?${text}`;
    }
    return path;
  }

  private finalError(
    request: HttpRequest,
    path: string,
    failure: AttemptFailure,
    lastError: unknown,
    attempts: number,
    reason: string,
  ): Error {
    if (reason === 'not-transient' || reason === 'not-idempotent') {
      if (lastError instanceof Error) return lastError;
      return new ServerUnavailableError(`${request.method} ${path} failed: ${String(lastError)}`, { failure });
    }
    return new ServerUnavailableError(
      `${request.method} ${path} still failing after ${attempts} attempts (${reason === 'deadline' ? 'deadline reached' : 'attempts exhausted'}): ${
        failure.kind === 'status' ? `status ${failure.status}` : failure.code
      }`,
      { method: request.method, path, attempts, failure },
      { cause: lastError },
    );
  }
}

function isPolicy(value: RetryPolicy | Partial<RetryOptions> | undefined): value is RetryPolicy {
  return value !== undefined && typeof (value as RetryPolicy).decide === 'function';
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

async function decodeBody(body: { text(): Promise<string> }, contentType: string | string[] | undefined): Promise<unknown> {
  const text = await body.text();
  const type = Array.isArray(contentType) ? contentType[0] : contentType;
  if (text !== '' && type !== undefined && type.includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}
