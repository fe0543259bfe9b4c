/**
 * The client's one retry policy: which requests may be resent (idempotent methods, or writes
 * carrying an idempotency key), which failures are transient, and capped jittered backoff.
 */

/** Options of the retry policy; every call of a client goes through the same policy. */
export interface RetryOptions {
  /** Attempts per call, the first included. */
  maxAttempts: number;
  /** Backoff before the second attempt is drawn from [0, minDelayMs]; the ceiling then grows by `factor`. */
  minDelayMs: number;
  /** Ceiling of any single backoff. */
  maxDelayMs: number;
  factor: number;
  /** Total time one call may take across attempts, backoffs and health waits. */
  deadlineMs: number;
  /** Methods that are idempotent by definition. */
  methods: readonly string[];
  /** Header whose presence makes any write idempotent: the server applies a key once. */
  idempotencyHeader: string;
  /** Response statuses that are transient. A 4xx is never retried, whatever this list says. */
  statusCodes: readonly number[];
  /** Error codes (Node and undici) of transient transport failures: resets, refusals, timeouts. */
  errorCodes: readonly string[];
  /** After a transient failure, how long to wait for `GET /health` to answer 200 before giving up. */
  healthWaitMs: number;
  /** Interval between health probes while waiting. */
  healthPollMs: number;
}

/** Defaults: a restart (seconds) is ridden out; a dead server fails the call after `healthWaitMs`. */
export const DEFAULT_RETRY_OPTIONS: Readonly<RetryOptions> = Object.freeze({
  maxAttempts: 12,
  minDelayMs: 50,
  maxDelayMs: 2_000,
  factor: 2,
  deadlineMs: 180_000,
  methods: Object.freeze(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']),
  idempotencyHeader: 'idempotency-key',
  statusCodes: Object.freeze([502, 503, 504]),
  errorCodes: Object.freeze([
    'ECONNRESET',
    'ECONNREFUSED',
    'ECONNABORTED',
    'EPIPE',
    'ETIMEDOUT',
    'ENOTFOUND',
    'EAI_AGAIN',
    'ENETDOWN',
    'ENETUNREACH',
    'EHOSTDOWN',
    'EHOSTUNREACH',
    'UND_ERR_SOCKET',
    'UND_ERR_CLOSED',
    'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_HEADERS_TIMEOUT',
    'UND_ERR_BODY_TIMEOUT',
  ]),
  healthWaitMs: 60_000,
  healthPollMs: 200,
});

/** What went wrong with one attempt. */
export type AttemptFailure = { kind: 'status'; status: number } | { kind: 'error'; code: string };

/** The policy's verdict on a failed attempt. */
export type RetryDecision =
  | { retry: true; delayMs: number }
  | { retry: false; reason: 'not-idempotent' | 'not-transient' | 'attempts' | 'deadline' };

/** A request as the policy sees it. */
export interface RetryRequest {
  method: string;
  headers: Readonly<Record<string, string>>;
}

/** The retry policy object: options plus the decisions every call asks of it. */
export interface RetryPolicy {
  readonly options: Readonly<RetryOptions>;
  /** True when resending the request cannot apply it twice. */
  isIdempotent(request: RetryRequest): boolean;
  /** True when the failure may go away by itself (restart, stale socket, overload). */
  isTransient(failure: AttemptFailure): boolean;
  /** Whether to retry after failed attempt number `attempt` (1-based), `elapsedMs` into the call. */
  decide(request: RetryRequest, failure: AttemptFailure, attempt: number, elapsedMs: number): RetryDecision;
  /** Backoff before attempt `attempt + 1`: full jitter under a capped exponential ceiling. */
  backoff(attempt: number): number;
}

/** Builds the retry policy; `random` is injectable so tests can pin the jitter. */
export function retryPolicy(overrides: Partial<RetryOptions> = {}, random: () => number = Math.random): RetryPolicy {
  const options: Readonly<RetryOptions> = Object.freeze({ ...DEFAULT_RETRY_OPTIONS, ...overrides });
  const methods = new Set(options.methods.map((m) => m.toUpperCase()));
  const statuses = new Set(options.statusCodes);
  const codes = new Set(options.errorCodes);
  const keyHeader = options.idempotencyHeader.toLowerCase();

  const isIdempotent = (request: RetryRequest): boolean => {
    if (methods.has(request.method.toUpperCase())) return true;
    for (const [name, value] of Object.entries(request.headers)) {
      if (name.toLowerCase() === keyHeader && value !== '') return true;
    }
    return false;
  };

  const isTransient = (failure: AttemptFailure): boolean =>
    failure.kind === 'status' ? failure.status >= 500 && statuses.has(failure.status) : codes.has(failure.code);

  const backoff = (attempt: number): number => {
    const ceiling = Math.min(options.maxDelayMs, options.minDelayMs * options.factor ** Math.max(0, attempt - 1));
    return Math.floor(random() * ceiling);
  };

  const decide = (request: RetryRequest, failure: AttemptFailure, attempt: number, elapsedMs: number): RetryDecision => {
    if (!isTransient(failure)) return { retry: false, reason: 'not-transient' };
    if (!isIdempotent(request)) return { retry: false, reason: 'not-idempotent' };
    if (attempt >= options.maxAttempts) return { retry: false, reason: 'attempts' };
    const delayMs = backoff(attempt);
    if (elapsedMs + delayMs >= options.deadlineMs) return { retry: false, reason: 'deadline' };
    return { retry: true, delayMs };
  };

  return { options, isIdempotent, isTransient, decide, backoff };
}
