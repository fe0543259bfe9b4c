/**
 * Running the server: listen, and on SIGTERM/SIGINT stop accepting, let in-flight requests
 * finish, close the store and resolve — one long-lived process, no request-count recycling.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildServer } from './app.js';
import type { ServerOptions } from './options.js';

/** A listening server. */
export interface RunningServer {
  app: FastifyInstance;
  /** `http://host:port` as clients on this machine reach it. */
  url: string;
  port: number;
  /** Stops accepting, waits for in-flight requests, closes the store. */
  close(): Promise<void>;
}

/** Builds the server and starts listening on `options.port` (0 picks a free port). */
export async function startServer(options: Partial<ServerOptions> = {}): Promise<RunningServer> {
  const app = await buildServer(options);
  const host = app.kato.options.host;
  try {
    await app.listen({ port: app.kato.options.port, host });
  } catch (err) {
    await app.close();
    throw err;
  }
  const { port } = app.server.address() as AddressInfo;
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    app,
    url: `http://${reachable}:${port}`,
    port,
    close: () => (closing ??= app.close()),
  };
}

/** How long shutdown waits for in-flight requests before closing their connections. */
const GRACE_MS = 30_000;

/**
 * Serves until SIGTERM or SIGINT, then shuts down gracefully. Resolves with the signal's name
 * once the store is closed.
 */
export async function serveUntilSignal(server: RunningServer): Promise<NodeJS.Signals> {
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  server.app.log.info({ signal }, 'shutting down: finishing in-flight requests');
  const force = setTimeout(() => server.app.server.closeAllConnections(), GRACE_MS);
  force.unref();
  await server.close();
  clearTimeout(force);
  return signal;
}
