import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_OPTIONS, retryPolicy } from './retry.js';

const get = { method: 'GET', headers: {} };
const post = { method: 'POST', headers: {} };
const keyedPost = { method: 'POST', headers: { 'Idempotency-Key': 'k1' } };

describe('retry policy', () => {
  it('treats GET, PUT and DELETE as idempotent, and a POST only when it carries a key', () => {
    const policy = retryPolicy();
    expect(policy.isIdempotent(get)).toBe(true);
    expect(policy.isIdempotent({ method: 'delete', headers: {} })).toBe(true);
    expect(policy.isIdempotent({ method: 'PUT', headers: {} })).toBe(true);
    expect(policy.isIdempotent(post)).toBe(false);
    expect(policy.isIdempotent(keyedPost)).toBe(true);
    expect(policy.isIdempotent({ method: 'POST', headers: { 'idempotency-key': '' } })).toBe(false);
  });

  it('calls 502, 503, 504 and connection failures transient, and never a 4xx or a 500', () => {
    const policy = retryPolicy({ statusCodes: [408, 429, 500, 502, 503, 504] });
    for (const status of [502, 503, 504, 500]) expect(policy.isTransient({ kind: 'status', status })).toBe(true);
    for (const status of [400, 404, 408, 409, 422, 429]) expect(policy.isTransient({ kind: 'status', status })).toBe(false);
    const defaults = retryPolicy();
    expect(defaults.isTransient({ kind: 'status', status: 500 })).toBe(false);
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'EPIPE']) {
      expect(defaults.isTransient({ kind: 'error', code })).toBe(true);
    }
    expect(defaults.isTransient({ kind: 'error', code: 'ERR_INVALID_URL' })).toBe(false);
  });

  it('retries a transient failure of an idempotent request until the attempts run out', () => {
    const policy = retryPolicy({ maxAttempts: 3 }, () => 0);
    const failure = { kind: 'status', status: 503 } as const;
    expect(policy.decide(get, failure, 1, 0)).toEqual({ retry: true, delayMs: 0 });
    expect(policy.decide(get, failure, 2, 0)).toEqual({ retry: true, delayMs: 0 });
    expect(policy.decide(get, failure, 3, 0)).toEqual({ retry: false, reason: 'attempts' });
  });

  it('never resends a write without an idempotency key', () => {
    const policy = retryPolicy();
    expect(policy.decide(post, { kind: 'error', code: 'ECONNRESET' }, 1, 0)).toEqual({ retry: false, reason: 'not-idempotent' });
    expect(policy.decide(keyedPost, { kind: 'error', code: 'ECONNRESET' }, 1, 0).retry).toBe(true);
  });

  it('never resends after a 4xx, even an idempotent request', () => {
    const policy = retryPolicy();
    expect(policy.decide(get, { kind: 'status', status: 404 }, 1, 0)).toEqual({ retry: false, reason: 'not-transient' });
    expect(policy.decide(keyedPost, { kind: 'status', status: 409 }, 1, 0)).toEqual({ retry: false, reason: 'not-transient' });
  });

  it('stops at the total deadline', () => {
    const policy = retryPolicy({ deadlineMs: 1_000, minDelayMs: 100 }, () => 0.5);
    expect(policy.decide(get, { kind: 'status', status: 502 }, 1, 900).retry).toBe(true);
    expect(policy.decide(get, { kind: 'status', status: 502 }, 1, 1_000)).toEqual({ retry: false, reason: 'deadline' });
  });

  it('draws backoff under an exponential ceiling capped at maxDelayMs', () => {
    const top = retryPolicy({ minDelayMs: 100, factor: 2, maxDelayMs: 1_000 }, () => 0.999999);
    expect([1, 2, 3, 4, 5, 6].map((attempt) => top.backoff(attempt))).toEqual([99, 199, 399, 799, 999, 999]);
    const bottom = retryPolicy({ minDelayMs: 100 }, () => 0);
    expect(bottom.backoff(5)).toBe(0);
  });

  it('keeps its options frozen and complete', () => {
    const policy = retryPolicy({ maxAttempts: 4 });
    expect(policy.options).toEqual({ ...DEFAULT_RETRY_OPTIONS, maxAttempts: 4 });
    expect(Object.isFrozen(policy.options)).toBe(true);
    expect(DEFAULT_RETRY_OPTIONS.healthWaitMs).toBe(60_000);
  });
});
