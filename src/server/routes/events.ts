/**
 * `WS /ws/events` (spec §3.7): a state snapshot on connect, `ping` → `pong`, and the session
 * lifecycle broadcasts of this process.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { isoTimestamp } from '../events.js';

const OPEN = 1;

/** Registers the event stream (the websocket plugin must be registered first). */
export function registerEventRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/ws/events', { websocket: true, schema: { hide: true } }, (socket) => {
    // The snapshot is always the first message, even when the client pings at once.
    const snapshotSent = ctx.sessions
      .count()
      .catch(() => 0)
      .then((active) => {
        if (socket.readyState !== OPEN) return;
        socket.send(
          JSON.stringify({
            event_type: 'state.snapshot',
            timestamp: isoTimestamp(Date.now()),
            data: { active_sessions: active, system_status: 'healthy' },
          }),
        );
        ctx.events.add(socket);
      })
      .catch((err: unknown) => app.log.warn({ err }, 'event stream snapshot failed'));
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary && data.toString() === 'ping') void snapshotSent.then(() => socket.readyState === OPEN && socket.send('pong'));
    });
    const forget = () => ctx.events.remove(socket);
    socket.on('close', forget);
    socket.on('error', forget);
  });
}
