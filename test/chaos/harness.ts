/**
 * Chaos harness: the real `kato serve` as a child process (killed and restarted at will) behind a
 * TCP proxy that gives clients one stable address and can cut a reply after the server sent it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';

/** The built CLI, as users run it (`npm test` builds first). */
export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

/** Fails loudly when the CLI has not been built. */
export function requireBuiltCli(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
}

/** One `kato serve` child process on a data directory, restartable on a new port. */
export class ServerProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> | null = null;
  port = 0;
  starts = 0;
  log = '';

  constructor(private readonly dataDir: string) {}

  /** Starts the server and resolves with its port once it listens. */
  async start(): Promise<number> {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', this.dataDir, '--log-level', 'warn'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts++;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stderr!.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    this.port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const onData = (chunk: Buffer): void => {
        out += chunk.toString();
        this.log += chunk.toString();
        const match = /listening on http:\/\/[^:\s]+:(\d+)/.exec(out);
        if (match) {
          child.stdout!.off('data', onData);
          child.stdout!.on('data', (more: Buffer) => (this.log += more.toString()));
          resolve(Number(match[1]));
        }
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code, signal) => reject(new Error(`kato serve exited (${code ?? signal}) before listening:\n${this.log}`)));
    });
    return this.port;
  }

  /** Sends `signal` and resolves once the process has exited. */
  async stop(signal: NodeJS.Signals): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    await this.exited;
  }

  /** Kills at once (no wait), for use inside a socket callback. */
  killNow(): void {
    this.child?.kill('SIGKILL');
  }

  /** Waits for the current process to exit. */
  async exit(): Promise<void> {
    await this.exited;
  }

  get exitCode(): number | null {
    return this.child?.exitCode ?? null;
  }
}

/**
 * A TCP proxy in front of the server. `upstream` null refuses connections (server down);
 * `cutNextReply` drops the next reply bytes the server sends, after calling `onCut`.
 */
export class ChaosProxy {
  upstream: number | null = null;
  private cut: (() => void) | null = null;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  cuts = 0;
  url = '';

  constructor() {
    this.server = createServer((client) => this.accept(client));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  /** The next reply from the server is swallowed: `onCut` runs, and client and server sockets close. */
  cutNextReply(onCut: () => void): void {
    this.cut = onCut;
  }

  /** Closes every connection (as a dying server's kernel would). */
  dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  private accept(client: Socket): void {
    this.track(client);
    if (this.upstream === null) {
      client.destroy();
      return;
    }
    const server = connect(this.upstream, '127.0.0.1');
    this.track(server);
    client.on('data', (chunk) => server.write(chunk));
    server.on('data', (chunk) => {
      if (this.cut) {
        const onCut = this.cut;
        this.cut = null;
        this.cuts++;
        onCut();
        client.destroy();
        server.destroy();
        return;
      }
      client.write(chunk);
    });
    client.on('close', () => server.destroy());
    server.on('close', () => client.destroy());
  }
}
