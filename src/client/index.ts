/**
 * The client part's public surface: the KATO client and its sessions, the transport with its
 * one retry policy and counters, the wire types and the client's errors.
 */
export { KatoClient, type KatoClientOptions } from './kato.js';
export { KatoSession, createServerSession, isSessionGone, type SessionOptions } from './session.js';
export {
  DEFAULT_TIMEOUTS,
  HttpTransport,
  REPLAYED_HEADER,
  defaultLogger,
  emptyCounters,
  failureCode,
  newIdempotencyKey,
  type ClientCounters,
  type ClientLogger,
  type HttpRequest,
  type HttpResponse,
  type OperationKind,
  type Timeouts,
  type TransportOptions,
} from './transport.js';
export { DEFAULT_RETRY_OPTIONS, retryPolicy, type AttemptFailure, type RetryDecision, type RetryOptions, type RetryPolicy } from './retry.js';
export { ClientError, HttpStatusError, ServerUnavailableError, SessionRecoveryError } from './errors.js';
export { lastEvents, mergeConfig, predictedEvent, stmAfterObserve, stmAfterSequence, type SessionShadow } from './shadow.js';
export type * from './types.js';
