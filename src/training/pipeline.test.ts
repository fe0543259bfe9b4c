import { describe, expect, it } from 'vitest';
import { budget, channel, END, IDLE } from './pipeline.js';

describe('channel', () => {
  it('hands items over in order, then END once closed and drained', async () => {
    const c = channel<number>();
    const first = c.take();
    c.push(1);
    c.push(2);
    c.push(3);
    expect([await first, await c.take(), await c.take()]).toEqual([1, 2, 3]);
    c.close();
    expect(await c.take()).toBe(END);
  });

  it('returns IDLE when nothing arrives in time', async () => {
    const c = channel<number>();
    expect(await c.take(5)).toBe(IDLE);
    c.push(7);
    expect(await c.take(5)).toBe(7);
  });

  it('throws the closing error only after the queued items', async () => {
    const c = channel<string>();
    c.push('a');
    c.close(new Error('stream failed'));
    expect(await c.take()).toBe('a');
    await expect(c.take()).rejects.toThrow('stream failed');
  });

  it('keeps order over many items', async () => {
    const c = channel<number>();
    for (let i = 0; i < 5000; i++) c.push(i);
    c.close();
    const out: number[] = [];
    for (let item = await c.take(); item !== END; item = await c.take()) out.push(item as number);
    expect(out).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });
});

describe('budget', () => {
  it('lets an amount in when it fits or when nothing is held, and waits otherwise', async () => {
    const b = budget(10);
    const signal = new AbortController().signal;
    expect(await b.acquire(25, signal)).toBe(true);
    let second = false;
    const pending = b.acquire(4, signal).then((ok) => (second = ok));
    await Promise.resolve();
    expect(second).toBe(false);
    b.release(25);
    await pending;
    expect(second).toBe(true);
    expect(await b.acquire(6, signal)).toBe(true);
  });

  it('gives up waiting when the signal aborts', async () => {
    const b = budget(1);
    const controller = new AbortController();
    await b.acquire(1, controller.signal);
    const waiting = b.acquire(1, controller.signal);
    controller.abort();
    expect(await waiting).toBe(false);
    expect(await b.acquire(1, controller.signal)).toBe(false);
  });
});
