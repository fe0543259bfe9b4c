/**
 * bench:server — `kato serve` as a child process under 16 concurrent keep-alive clients:
 * requests/s and p50/p99 latency of observe, learn and predictions, with zero errors required.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { seededRandom, zipfSampler } from './random.js';

const CLIENTS = 16;
const PHASE_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const VOCABULARY = 2000;
const MAIN = fileURLToPath(new URL('../cli/main.js', import.meta.url));

interface PhaseResult {
  route: string;
  requests: number;
  seconds: number;
  latencies: number[];
  errors: string[];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--log-level', 'error'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`kato serve exited with ${code} before listening`)));
  });
  return { child, url };
}

async function request(pool: Pool, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await pool.request({
    method,
    path,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : null };
}

/**
 * Runs `step` on every client in a loop for the phase's duration; `step` returns the latency of
 * the measured request (ms), or throws on an error.
 */
async function phase(route: string, sessions: string[], step: (sid: string, client: number) => Promise<number>): Promise<PhaseResult> {
  const result: PhaseResult = { route, requests: 0, seconds: 0, latencies: [], errors: [] };
  const deadline = performance.now() + PHASE_SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    sessions.map(async (sid, client) => {
      while (performance.now() < deadline) {
        try {
          result.latencies.push(await step(sid, client));
          result.requests++;
        } catch (err) {
          result.errors.push(err instanceof Error ? err.message : String(err));
        }
      }
    }),
  );
  result.seconds = (performance.now() - started) / 1000;
  result.latencies.sort((a, b) => a - b);
  return result;
}

async function timed(pool: Pool, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ ms: number; json: any }> {
  const t0 = performance.now();
  const res = await request(pool, method, path, body);
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.json)}`);
  return { ms, json: res.json };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kato-bench-server-'));
  const { child, url } = await startServer(dataDir);
  const pool = new Pool(url, { connections: CLIENTS, pipelining: 1, keepAliveTimeout: 60_000 });
  const random = seededRandom(7);
  const rank = zipfSampler(VOCABULARY, 1.0, random);
  const event = () => Array.from({ length: 1 + Math.floor(random() * 3) }, () => `w${rank()}`);
  const results: PhaseResult[] = [];
  let summary = '';
  try {
    const sessions: string[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      // One node shared by all clients, as a team of clients training one KB would.
      const created = await request(pool, 'POST', '/sessions', { node_id: 'bench', ttl_seconds: 3600 });
      sessions.push(created.json.session_id);
    }
    process.stdout.write(`kato serve at ${url}; ${CLIENTS} keep-alive clients, ${PHASE_SECONDS} s per route\n`);

    // learn: each measured learn follows one (unmeasured) observe-sequence of 3–5 events.
    results.push(
      await phase('learn', sessions, async (sid) => {
        const events = Array.from({ length: 3 + Math.floor(random() * 3) }, () => ({ strings: event() }));
        await timed(pool, 'POST', `/sessions/${sid}/observe-sequence`, { observations: events });
        return (await timed(pool, 'POST', `/sessions/${sid}/learn`)).ms;
      }),
    );

    // observe: predictions are computed on every observe (KATO's default process_predictions).
    results.push(
      await phase('observe', sessions, async (sid, client) => {
        const { ms, json } = await timed(pool, 'POST', `/sessions/${sid}/observe`, { strings: event(), emotives: { v: client } });
        // Keep STMs short so every observe works on a realistic window.
        if (json.stm_length >= 5) await timed(pool, 'POST', `/sessions/${sid}/clear-stm`);
        return ms;
      }),
    );

    // The same without predictions: what the server itself costs per observation.
    const quiet: string[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const created = await request(pool, 'POST', '/sessions', { node_id: 'bench', config: { process_predictions: false } });
      quiet.push(created.json.session_id);
    }
    results.push(
      await phase('observe*', quiet, async (sid, client) => {
        const { ms, json } = await timed(pool, 'POST', `/sessions/${sid}/observe`, { strings: event(), emotives: { v: client } });
        if (json.stm_length >= 5) await timed(pool, 'POST', `/sessions/${sid}/clear-stm`);
        return ms;
      }),
    );

    for (const sid of sessions) {
      await request(pool, 'POST', `/sessions/${sid}/clear-stm`);
      await request(pool, 'POST', `/sessions/${sid}/observe-sequence`, { observations: [{ strings: event() }, { strings: event() }, { strings: event() }] });
    }
    let returned = 0;
    results.push(
      await phase('predictions', sessions, async (sid) => {
        const { ms, json } = await timed(pool, 'GET', `/sessions/${sid}/predictions`);
        returned += json.count;
        return ms;
      }),
    );
    const prediction = results[results.length - 1];
    const patterns = /kato_node_patterns\{kb_id="bench_kato"\} (\d+)/.exec((await pool.request({ method: 'GET', path: '/metrics/prometheus' }).then((r) => r.body.text())))?.[1];
    summary = `KB: ${patterns ?? '?'} patterns on the shared node; ${(returned / Math.max(1, prediction.requests)).toFixed(1)} predictions per response (3-event STM).`;
  } finally {
    await pool.close();
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }

  let failed = false;
  process.stdout.write('\nroute        requests    req/s    p50 ms   p99 ms   errors\n');
  for (const r of results) {
    process.stdout.write(
      `${r.route.padEnd(12)} ${String(r.requests).padStart(8)} ${(r.requests / r.seconds).toFixed(0).padStart(8)} ` +
        `${percentile(r.latencies, 50).toFixed(2).padStart(9)} ${percentile(r.latencies, 99).toFixed(2).padStart(8)} ${String(r.errors.length).padStart(8)}\n`,
    );
    if (r.errors.length > 0) {
      failed = true;
      process.stdout.write(`  first error: ${r.errors[0]}\n`);
    }
  }
  process.stdout.write(`\n${summary}\n`);
  process.stdout.write(
    'learn counts learns only (each follows an untimed observe-sequence of 3–5 events); observe counts observes only\n' +
      '(an untimed clear-stm every 5 events keeps STMs short); every observe computes predictions, as KATO does by default; observe* is the same with process_predictions off.\n',
  );
  if (failed) process.exitCode = 1;
}

await main();
