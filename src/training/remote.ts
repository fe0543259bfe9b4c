/**
 * Choosing the knowledge base of a `--server` command: the native batch routes (exactly once) or
 * KATO's own routes (any KATO server), and the one-line log the client writes while it works.
 */
import { DEFAULT_RETRY_OPTIONS } from '../client/retry.js';
import { describeFailure, type ClientCounters, type ClientLogger, type HealthWait } from '../client/transport.js';
import { ValidationError } from '../errors.js';
import { openStore } from '../store/index.js';
import { localKnowledgeBase, type KnowledgeBase } from './knowledge-base.js';
import { katoProtocolKnowledgeBase, KATO_PROTOCOL_NOTICE } from './remote-kato.js';
import { remoteKnowledgeBase } from './remote-knowledge-base.js';

/** How a command talks to a server. */
export type ServerProtocol = 'native' | 'kato';

export { KATO_PROTOCOL_NOTICE };

/** What the help of every command taking `--server` says about the server's API key. */
export const SERVER_KEY_HELP = `Environment:
  KATO_API_KEY  with --server: the API key sent in the X-API-Key header (for a server started
                with --api-key or KATO_API_KEYS)`;

/** What `kato train --help` says about a server that does not answer. */
export const SERVER_WAIT_HELP = `With --server, a server that is not answering (not started yet, or restarting) is waited for
up to ${Math.round(DEFAULT_RETRY_OPTIONS.healthWaitMs / 1000)} s, saying so on stderr; Ctrl+C stops waiting (exit 130).`;

/** What the help of the one-shot commands taking `--server` says about a server that does not answer. */
export const SERVER_REFUSED_HELP = `With --server, a server refusing connections fails the command at once; one that answered and
then restarts is waited for up to ${Math.round(DEFAULT_RETRY_OPTIONS.healthWaitMs / 1000)} s.`;

/** The `--protocol` value, or a ValidationError naming the choices. */
export function parseProtocol(value: string | undefined): ServerProtocol {
  const protocol = value ?? 'native';
  if (protocol !== 'native' && protocol !== 'kato') {
    throw new ValidationError(`--protocol must be native or kato; got '${protocol}'`, { field: 'protocol', value: protocol });
  }
  return protocol;
}

/** The `--server` value as a base URL, or a ValidationError saying what a server URL looks like. */
export function parseServerUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError(`--server must be an http(s) URL such as http://localhost:8000; got '${value}'`, { field: 'server', value });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValidationError(`--server must be an http(s) URL; got '${value}'`, { field: 'server', value });
  }
  return value;
}

/** A client logger writing `<prefix>: <message>` lines to stderr (debug lines dropped). */
export function lineLogger(prefix: string, write: (line: string) => void = (line) => process.stderr.write(line)): ClientLogger {
  const line = (fields: Record<string, unknown>, message: string): void => {
    const details = Object.entries(fields)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    write(`${prefix}: ${message}${details ? ` (${details})` : ''}\n`);
  };
  return { info: line, warn: line, debug: () => undefined };
}

/**
 * The line a `--server` command writes on stderr when the server stops answering (or is not up
 * yet): which server, why, and how long the command waits before giving up.
 */
export function serverWaitNotice(command: string, write: (line: string) => void = (line) => process.stderr.write(line)): (wait: HealthWait) => void {
  return (wait) =>
    write(`${command}: waiting up to ${Math.round(wait.waitMs / 1000)} s for the kato server at ${wait.baseUrl} (${describeFailure(wait.last)}; Ctrl+C to stop)\n`);
}

/** What a `--server` command needs to open its KB. */
export interface ServerKbOptions {
  server: string;
  protocol: ServerProtocol;
  /** Local data directory: the KATO protocol keeps the run's ledger and mirror there. */
  dataDir: string;
  logger: ClientLogger;
  /** Told once, at the start, what the protocol cannot promise. */
  notice?: (message: string) => void;
  /** Interrupts waiting for an unreachable server. */
  signal?: AbortSignal;
  /** Wait for a server that has not answered yet (a trainer), or fail at once when it refuses connections (default: wait). */
  waitForServer?: boolean;
  /** Told when the client starts waiting for the server's `/health`. */
  onHealthWait?: (wait: HealthWait) => void;
}

/** A KB opened for a command, with the client's counters when it talks to a server. */
export interface CommandKnowledgeBase {
  kb: KnowledgeBase;
  counters: ClientCounters | null;
}

/** Opens the knowledge base a `--server` command trains or reads. */
export function serverKnowledgeBase(options: ServerKbOptions): CommandKnowledgeBase {
  const baseUrl = parseServerUrl(options.server);
  const transport = { baseUrl, logger: options.logger, signal: options.signal, waitForServer: options.waitForServer, onHealthWait: options.onHealthWait };
  if (options.protocol === 'native') {
    const kb = remoteKnowledgeBase(transport);
    return { kb, counters: kb.counters };
  }
  options.notice?.(KATO_PROTOCOL_NOTICE);
  const kb = katoProtocolKnowledgeBase({ ...transport, mirror: openStore(options.dataDir) });
  return { kb, counters: kb.counters };
}

/** The flags a command passes: `--server`, `--protocol` and `--data-dir`. */
export interface KbFlags {
  server?: string;
  protocol?: string;
  dataDir: string;
}

/** How a command waits for its server. */
export interface ServerWaitOptions {
  /** Interrupts waiting for an unreachable server. */
  signal?: AbortSignal;
  /**
   * True for a command that may be started before its server (`kato train`): it waits for the
   * server's `/health`, saying so on stderr. Otherwise (default) a server refusing connections
   * fails the command at once; a server that answered and then restarts is waited for either way.
   */
  waitForServer?: boolean;
}

/**
 * Refuses `--server` and `--protocol` values a command cannot use (a URL that is not http(s), an
 * unknown protocol, `--protocol` without `--server`) without opening anything.
 */
export function checkKbFlags(flags: KbFlags): void {
  if (flags.server === undefined) {
    if (flags.protocol !== undefined) {
      throw new ValidationError('--protocol needs --server: it says how to talk to a server', { field: 'protocol' });
    }
    return;
  }
  parseServerUrl(flags.server);
  parseProtocol(flags.protocol);
}

/**
 * The KB of a command: the data directory's store, or a server's KB when `--server` is given
 * (`--protocol` alone is refused). `command` prefixes the client's log lines and notices.
 */
export function commandKnowledgeBase(flags: KbFlags, command: string, wait: ServerWaitOptions = {}): CommandKnowledgeBase {
  checkKbFlags(flags);
  if (flags.server === undefined) return { kb: localKnowledgeBase(openStore(flags.dataDir)), counters: null };
  return serverKnowledgeBase({
    server: flags.server,
    protocol: parseProtocol(flags.protocol),
    dataDir: flags.dataDir,
    logger: lineLogger(command),
    notice: (message) => process.stderr.write(`${command}: ${message}\n`),
    signal: wait.signal,
    waitForServer: wait.waitForServer ?? false,
    onHealthWait: serverWaitNotice(command),
  });
}
