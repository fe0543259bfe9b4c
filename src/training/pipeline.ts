/**
 * The two primitives between the trainer's reader and committer: a FIFO channel (so commits
 * follow stream order) and a text budget (so reading never runs ahead of committing unbounded).
 */

/** What `take` returns besides an item: the wait timed out, or the channel is closed and empty. */
export const IDLE = Symbol('idle');
export const END = Symbol('end');

/** A single-consumer FIFO queue whose producer can close it, with or without an error. */
export interface Channel<T> {
  push(item: T): void;
  /** No more items; a given error is thrown by `take` once the queued items are taken. */
  close(error?: unknown): void;
  /** The next item; IDLE after `timeoutMs` without one; END when closed and drained. */
  take(timeoutMs?: number): Promise<T | typeof IDLE | typeof END>;
}

/** A new empty channel. */
export function channel<T>(): Channel<T> {
  const items: T[] = [];
  let head = 0;
  let closed = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  return {
    push(item) {
      items.push(item);
      notify();
    },
    close(error) {
      closed = true;
      if (error !== undefined) failure = { error };
      notify();
    },
    async take(timeoutMs = Infinity) {
      if (head === items.length && !closed) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (Number.isFinite(timeoutMs)) timer = setTimeout(resolve, Math.max(0, timeoutMs));
        });
        clearTimeout(timer);
        wake = undefined;
      }
      if (head < items.length) {
        const item = items[head];
        items[head++] = undefined as T;
        // Compact now and then so a long run never keeps a growing array of holes.
        if (head > 1024 && head * 2 > items.length) {
          items.splice(0, head);
          head = 0;
        }
        return item;
      }
      if (!closed) return IDLE;
      if (failure) throw failure.error;
      return END;
    },
  };
}

/** A budget of text characters in the pipeline; taking more waits until some are given back. */
export interface Budget {
  /** Waits until `amount` fits (always fits when nothing is held); false when the signal aborts. */
  acquire(amount: number, signal: AbortSignal): Promise<boolean>;
  release(amount: number): void;
}

/** A budget of `limit` characters. */
export function budget(limit: number): Budget {
  let used = 0;
  const waiting: { amount: number; resolve(ok: boolean): void }[] = [];
  const fits = (amount: number): boolean => used === 0 || used + amount <= limit;
  return {
    acquire(amount, signal) {
      if (signal.aborted) return Promise.resolve(false);
      if (waiting.length === 0 && fits(amount)) {
        used += amount;
        return Promise.resolve(true);
      }
      return new Promise<boolean>((resolve) => {
        const entry = {
          amount,
          resolve: (ok: boolean) => {
            signal.removeEventListener('abort', onAbort);
            resolve(ok);
          },
        };
        const onAbort = (): void => {
          const at = waiting.indexOf(entry);
          if (at >= 0) waiting.splice(at, 1);
          entry.resolve(false);
        };
        signal.addEventListener('abort', onAbort);
        waiting.push(entry);
      });
    },
    release(amount) {
      used -= amount;
      while (waiting.length > 0 && fits(waiting[0].amount)) {
        const next = waiting.shift()!;
        used += next.amount;
        next.resolve(true);
      }
    },
  };
}
