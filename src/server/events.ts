/**
 * The event stream of `WS /ws/events` (spec §3.7): a snapshot on connect, `ping`/`pong`, and
 * session created/destroyed broadcasts to every connected client of this process.
 */

/** What the hub needs of a connected socket. */
export interface EventSocket {
  readonly readyState: number;
  send(data: string): void;
}

const OPEN = 1;

/** One server event as clients receive it. */
export interface ServerEvent {
  event_type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/** Connected event-stream clients. */
export class EventHub {
  private readonly sockets = new Set<EventSocket>();

  add(socket: EventSocket): void {
    this.sockets.add(socket);
  }

  remove(socket: EventSocket): void {
    this.sockets.delete(socket);
  }

  get size(): number {
    return this.sockets.size;
  }

  /** Sends an event to every open socket (a failing socket is dropped, never an error). */
  broadcast(eventType: string, data: Record<string, unknown>): void {
    if (this.sockets.size === 0) return;
    const text = JSON.stringify({ event_type: eventType, timestamp: isoTimestamp(Date.now()), data } satisfies ServerEvent);
    for (const socket of this.sockets) {
      if (socket.readyState !== OPEN) continue;
      try {
        socket.send(text);
      } catch {
        this.sockets.delete(socket);
      }
    }
  }
}

/**
 * An ISO-8601 UTC timestamp as KATO prints datetimes: `Z` suffix, microseconds when non-zero
 * (milliseconds are all JavaScript has, so the last three digits are zeros).
 */
export function isoTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? iso.replace('.000Z', 'Z') : iso.replace(/\.(\d{3})Z$/, '.$1000Z');
}
