/**
 * HTTP reads for remote shards: a fetch that retries idempotent GET/HEAD requests on network
 * errors, 429 and 5xx with capped, jittered exponential backoff, and Parquet range buffers on it.
 */
import { asyncBufferFromUrl } from 'hyparquet';
import type { AsyncBuffer } from 'hyparquet';

/** When and how long to retry a failed request. */
export interface RetryPolicy {
  /** Tries in all, the first included (default 4). */
  readonly attempts?: number;
  /** Delay before the second try; it doubles each time (default 500 ms). */
  readonly baseDelayMs?: number;
  /** Upper bound of one delay (default 8 s). */
  readonly maxDelayMs?: number;
}

type Fetch = typeof globalThis.fetch;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `fetch` that retries GET and HEAD (both idempotent) on network errors, 429 and 5xx. */
export function retryingFetch(fetchImpl: Fetch, policy: RetryPolicy = {}): Fetch {
  const attempts = policy.attempts ?? 4;
  const base = policy.baseDelayMs ?? 500;
  const cap = policy.maxDelayMs ?? 8000;
  const delay = (attempt: number): number => Math.min(cap, base * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
  return async (input, init) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    const retryable = method === 'GET' || method === 'HEAD';
    for (let attempt = 1; ; attempt++) {
      const last = !retryable || attempt >= attempts;
      let response: Response;
      try {
        response = await fetchImpl(input, init);
      } catch (error) {
        if (last || init?.signal?.aborted) throw error;
        await sleep(delay(attempt));
        continue;
      }
      if (last || (response.status !== 429 && response.status < 500)) return response;
      await response.body?.cancel();
      await sleep(delay(attempt));
    }
  };
}

/** A Parquet AsyncBuffer over HTTP range requests (its size from one HEAD request). */
export function httpBuffer(url: string, fetchImpl: Fetch, headers: Record<string, string>): Promise<AsyncBuffer> {
  return asyncBufferFromUrl({ url, requestInit: { headers }, fetch: fetchImpl });
}
