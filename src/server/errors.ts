/**
 * HTTP error answers in the shapes KATO clients expect: FastAPI's `{"detail": …}`, the session
 * middleware's `{"error": {"code": "SESSION_NOT_FOUND", …}}`, and 422 validation items.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { KatoError, ValidationError } from '../errors.js';
import { RequestValidationError } from './validation.js';

/** An HTTP error with FastAPI's `{"detail": …}` body. */
export class HttpError extends KatoError {
  readonly status: number;
  readonly detail: unknown;
  readonly headers: Record<string, string>;
  constructor(status: number, detail: unknown, headers: Record<string, string> = {}) {
    super('HTTP_ERROR', typeof detail === 'string' ? detail : JSON.stringify(detail), { status });
    this.status = status;
    this.detail = detail;
    this.headers = headers;
  }
}

/** A session that does not exist or expired, answered with the middleware's body. */
export class SessionNotFound extends KatoError {
  readonly sessionId: string;
  constructor(sessionId: string) {
    super('SESSION_NOT_FOUND', `Session ${sessionId} not found or expired`, { session_id: sessionId });
    this.sessionId = sessionId;
  }
}

/** The session middleware's 404 body. */
export function sessionNotFoundBody(sessionId: string): Record<string, unknown> {
  return { error: { code: 'SESSION_NOT_FOUND', message: `Session ${sessionId} not found or expired`, session_id: sessionId } };
}

/** Answers any error thrown by a route or hook; nothing reaches the client as a bare 500 but real faults. */
export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof RequestValidationError) return reply.code(422).send({ detail: error.items });
  if (error instanceof SessionNotFound) return reply.code(404).send(sessionNotFoundBody(error.sessionId));
  if (error instanceof HttpError) return reply.code(error.status).headers(error.headers).send({ detail: error.detail });
  if (error instanceof ValidationError) {
    // Engine-level input errors (e.g. vectors that cannot be summed) name their field.
    if (typeof error.details.expected === 'number' && typeof error.details.index === 'number') {
      return reply.code(400).send({
        detail: {
          error: 'VectorDimensionError',
          message: error.message,
          expected_dimension: error.details.expected,
          actual_dimension: error.details.actual,
          vector_name: `${String(error.details.field)}[${error.details.index}]`,
        },
      });
    }
    return reply.code(400).send({ detail: error.message });
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return reply.code(413).send({ detail: `Request body is larger than the limit of ${request.routeOptions.bodyLimit} bytes` });
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return reply.code(status).send({ detail: fastifyError.message });
  }
  request.log.error({ err: error }, 'request failed');
  return reply.code(500).type('text/plain; charset=utf-8').send('Internal Server Error');
}
