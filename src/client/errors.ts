/**
 * Errors the HTTP client raises: a reply the server refused (status + body), a server that
 * stayed unreachable past the retry policy, and a session that could not be recreated.
 */
import { KatoError } from '../errors.js';

/** Base class of every error raised by the client. */
export class ClientError extends KatoError {
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
  }
}

/** The server answered with a status the call does not accept (4xx, 500, or retries exhausted on 5xx). */
export class HttpStatusError extends ClientError {
  readonly status: number;
  readonly body: unknown;

  constructor(method: string, path: string, status: number, body: unknown) {
    super('HTTP_STATUS', `${method} ${path} answered ${status}: ${describeBody(body)}`, { method, path, status, body });
    this.status = status;
    this.body = body;
  }
}

/** The server could not be reached (or kept failing) within the retry policy's attempts and deadline. */
export class ServerUnavailableError extends ClientError {
  constructor(message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('SERVER_UNAVAILABLE', message, details);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** A vanished session could not be recreated with its config and STM. */
export class SessionRecoveryError extends ClientError {
  constructor(message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('SESSION_RECOVERY_FAILED', message, details);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** The part of an error body a person needs: KATO's `detail`, a structured `error`, or the text. */
function describeBody(body: unknown): string {
  if (body !== null && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    if (record.error !== undefined) return JSON.stringify(record.error);
    if (record.detail !== undefined) return typeof record.detail === 'string' ? record.detail : JSON.stringify(record.detail);
    if (typeof record.message === 'string') return record.message;
    return JSON.stringify(body).slice(0, 500);
  }
  return String(body).slice(0, 500);
}
