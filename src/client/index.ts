/**
 * The client part's public surface: the KATO client and its sessions, the native training
 * routes, the transport with its one retry policy and counters, the wire types and the errors.
 */
export { KatoClient, type KatoClientOptions } from './kato.js';
export { KatoSession, createServerSession, isSessionGone, type SessionOptions } from './session.js';
export {
  DEFAULT_TIMEOUTS,
  HttpTransport,
  REPLAYED_HEADER,
  defaultLogger,
  describeFailure,
  emptyCounters,
  failureCode,
  newIdempotencyKey,
  type ClientCounters,
  type ClientLogger,
  type HealthWait,
  type HttpRequest,
  type HttpResponse,
  type OperationKind,
  type Timeouts,
  type TransportOptions,
} from './transport.js';
export { DEFAULT_RETRY_OPTIONS, retryPolicy, type AttemptFailure, type RetryDecision, type RetryOptions, type RetryPolicy } from './retry.js';
export {
  TrainingClient,
  encodeDocument,
  encodeItem,
  wireSize,
  type CommitDocumentsRequest,
  type CommitDocumentsResponse,
  type DigestLevel,
  type PatternPage,
  type RunDigestResponse,
  type WireDocument,
  type WireItem,
} from './training.js';
export { ClientError, HttpStatusError, ServerUnavailableError, SessionRecoveryError } from './errors.js';
export { lastEvents, mergeConfig, predictedEvent, stmAfterObserve, stmAfterSequence, type SessionShadow } from './shadow.js';
export type * from './types.js';
