/**
 * Typed errors shared by every part. Each carries a stable `code` and the details a user needs
 * to act on it (which field, file, record, what was expected).
 */

/** Base class of every error kato-ts raises on purpose. */
export class KatoError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** Input that failed validation: a request body, an observation, a CLI flag, a config value. */
export class ValidationError extends KatoError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('VALIDATION_ERROR', message, details);
  }
}

/** A named thing (session, pattern, run, node) that does not exist. */
export class NotFoundError extends KatoError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('NOT_FOUND', message, details);
  }
}

/** A request that conflicts with stored state (run exists, config mismatch). */
export class ConflictError extends KatoError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('CONFLICT', message, details);
  }
}
