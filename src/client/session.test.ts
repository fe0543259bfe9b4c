import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sortSymbols } from '../engine/symbols.js';
import { HttpStatusError } from './errors.js';
import { KatoClient } from './kato.js';
import { isSessionGone, type KatoSession } from './session.js';
import type { ClientLogger } from './transport.js';

/** A session of the fake server: STM, config and clock, as KATO keeps them (§5.1). */
interface FakeSession {
  nodeId: string;
  stm: string[][];
  config: Record<string, unknown>;
  time: number;
}

/**
 * An in-memory KATO server with the session semantics the client depends on: code-point sorted
 * events, vector symbols, CLEAR/ROLLING auto-learn, observe-sequence, the middleware's 404 body,
 * config validation and idempotency-key replay.
 */
class FakeKato {
  readonly sessions = new Map<string, FakeSession>();
  /** node → pattern (JSON of its events) → frequency. */
  readonly kb = new Map<string, Map<string, number>>();
  readonly log: string[] = [];
  private readonly replies = new Map<string, { status: number; body: unknown }>();
  private next = 0;
  /** Applies the next keyed write but answers 503, as if the reply were lost in a crash. */
  loseNextReply = false;
  server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (raw += chunk));
      req.on('end', () => this.handle(req, raw, res));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  /** The session vanishes (TTL expiry, or a server that lost it). */
  expire(id: string): void {
    this.sessions.delete(id);
  }

  patterns(nodeId: string): number {
    return [...(this.kb.get(nodeId)?.values() ?? [])].reduce((a, b) => a + b, 0);
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(text);
  }

  private handle(req: IncomingMessage, raw: string, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    if (url.pathname === '/health') return this.send(res, 200, { status: 'healthy' });
    this.log.push(`${method} ${url.pathname}`);
    const body = raw === '' ? {} : JSON.parse(raw);
    const key = req.headers['idempotency-key'] as string | undefined;
    if (key && this.replies.has(key)) {
      const reply = this.replies.get(key)!;
      return this.send(res, reply.status, reply.body, { 'idempotent-replayed': 'true' });
    }
    const [status, reply] = this.route(method, url, body);
    if (key && status < 300) this.replies.set(key, { status, body: reply });
    if (key && this.loseNextReply && status < 300) {
      this.loseNextReply = false;
      return this.send(res, 503, { detail: 'reply lost' });
    }
    this.send(res, status, reply);
  }

  private route(method: string, url: URL, body: Record<string, unknown>): [number, unknown] {
    const parts = url.pathname.split('/').filter(Boolean);
    if (method === 'POST' && url.pathname === '/sessions') {
      const id = `session-${++this.next}`;
      this.sessions.set(id, { nodeId: body.node_id as string, stm: [], config: {}, time: 0 });
      return [200, { session_id: id, node_id: body.node_id, session_config: { sort_symbols: true, max_pattern_length: 0, process_predictions: true } }];
    }
    if (parts[0] !== 'sessions' || parts.length < 2) return [404, { detail: 'Not Found' }];
    const id = parts[1];
    const verb = parts[2] ?? '';
    const session = this.sessions.get(id);
    if (verb === 'exists') return [200, { exists: !!session, expired: false, session_id: id }];
    if (!session) {
      if (method === 'GET' && verb === '') return [404, { detail: `Session ${id} not found or expired` }];
      return [404, { error: { code: 'SESSION_NOT_FOUND', message: `Session ${id} not found or expired`, session_id: id } }];
    }
    const stmReply = { stm: session.stm, session_id: id, length: session.stm.length };
    switch (`${method} ${verb}`) {
      case 'GET ':
        return [200, { session_id: id, node_id: session.nodeId, session_config: session.config }];
      case 'DELETE ':
        this.sessions.delete(id);
        return [200, { status: 'deleted', session_id: id }];
      case 'GET config':
        return [200, { session_id: id, config: session.config }];
      case 'POST config': {
        const config = (body.config ?? body) as Record<string, unknown>;
        const recall = config.recall_threshold;
        if (recall !== undefined && (typeof recall !== 'number' || recall < 0 || recall > 1)) {
          return [400, { detail: { error: 'Configuration validation failed', validation_errors: { recall_threshold: 'Must be a number between 0.0 and 1.0' } } }];
        }
        Object.assign(session.config, config);
        if (config.use_token_matching !== undefined && config.sort_symbols === undefined) session.config.sort_symbols = config.use_token_matching;
        return [200, { status: 'okay', message: 'Configuration updated', session_id: id }];
      }
      case 'POST extend':
        return [200, { status: 'extended', session_id: id, ttl_seconds: Number(url.searchParams.get('ttl_seconds')) }];
      case 'POST observe': {
        const learned = this.observe(session, body);
        return [200, { status: 'okay', session_id: id, stm_length: session.stm.length, time: session.time, unique_id: 'obs-1', auto_learned_pattern: learned }];
      }
      case 'POST observe-sequence': {
        const observations = body.observations as Record<string, unknown>[];
        const initial = session.stm.length;
        const results = [];
        let final: string | null = null;
        for (let i = 0; i < observations.length; i++) {
          if (body.clear_stm_between && i > 0) session.stm = [];
          const learned = this.observe(session, observations[i]);
          if (body.learn_after_each && session.stm.length > 0) this.learn(session);
          results.push({ status: 'okay', sequence_position: i, stm_length: session.stm.length, time: session.time, unique_id: `u${i}`, auto_learned_pattern: learned });
        }
        if (body.learn_at_end && session.stm.length > 0) final = this.learn(session);
        return [200, { status: 'completed', processor_id: session.nodeId, observations_processed: observations.length, initial_stm_length: initial, final_stm_length: session.stm.length, results, auto_learned_patterns: [], final_learned_pattern: final, isolated: !!body.clear_stm_between }];
      }
      case 'GET stm':
        return [200, stmReply];
      case 'POST learn': {
        if (session.stm.length === 0) return [400, { detail: 'Cannot learn from empty STM' }];
        const name = this.learn(session);
        return [200, { status: 'learned', pattern_name: name, session_id: id, processor_id: null, message: 'Learned' }];
      }
      case 'GET predictions':
        return [200, { predictions: [], future_potentials: [], session_id: id, processor_id: null, count: 0, time: null, unique_id: null }];
      case 'POST clear-stm':
        session.stm = [];
        return [200, { status: 'cleared', session_id: id }];
      case 'POST clear-all':
        session.stm = [];
        this.kb.delete(session.nodeId);
        return [200, { status: 'cleared', session_id: id, scope: 'all' }];
      case 'GET percept-data':
        return [200, { percept_data: {}, session_id: id, node_id: session.nodeId }];
      case 'GET cognition-data':
        return [200, { cognition_data: { predictions: [], short_term_memory: session.stm }, session_id: id, node_id: session.nodeId }];
      case 'POST finalize-training':
        return [200, { status: 'completed', patterns_processed: this.kb.get(session.nodeId)?.size ?? 0, session_id: id, node_id: session.nodeId }];
      default:
        return [404, { detail: 'Not Found' }];
    }
  }

  /** §6.1–6.7: appends the event, then auto-learns by max_pattern_length and stm_mode. */
  private observe(session: FakeSession, observation: Record<string, unknown>): string | null {
    session.time++;
    const strings = (observation.strings as string[] | undefined) ?? [];
    const vectors = (observation.vectors as number[][] | undefined) ?? [];
    if (strings.length === 0 && vectors.length === 0) return null;
    const vectorSymbols = vectors.length ? [`VCTR|${createHash('sha1').update(JSON.stringify(vectors)).digest('hex')}`] : [];
    const sorts = session.config.sort_symbols !== false;
    session.stm.push([...vectorSymbols, ...(sorts ? sortSymbols(strings) : strings)]);
    const mpl = (session.config.max_pattern_length as number | undefined) ?? 0;
    if (mpl > 0 && session.stm.length >= mpl) {
      if (session.config.stm_mode === 'ROLLING' && session.stm.length > 1) {
        const w = mpl - 1;
        const keep = session.stm.length > w ? session.stm.slice(session.stm.length - w) : session.stm.slice(1);
        const name = this.learn(session);
        session.stm = w === 0 ? [] : keep;
        return name || null;
      }
      return this.learn(session) || null;
    }
    return null;
  }

  private learn(session: FakeSession): string {
    const pattern = session.stm;
    session.stm = [];
    if (pattern.flat().length < 2) return '';
    const key = JSON.stringify(pattern);
    let node = this.kb.get(session.nodeId);
    if (!node) this.kb.set(session.nodeId, (node = new Map()));
    node.set(key, (node.get(key) ?? 0) + 1);
    return `PTRN|${createHash('sha1').update(key).digest('hex')}`;
  }
}

function quietLogger(): ClientLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => undefined, debug: () => undefined, warn: (_fields, message) => warnings.push(message) };
}

/** A seeded PRNG, so the shadow walk is the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let fake: FakeKato;
let client: KatoClient;
let logger: ReturnType<typeof quietLogger>;

beforeEach(async () => {
  fake = new FakeKato();
  await fake.start();
  logger = quietLogger();
  client = new KatoClient({ baseUrl: fake.url, logger, retry: { minDelayMs: 1, maxDelayMs: 5, healthPollMs: 5 } });
});

afterEach(async () => {
  await client.close();
  await fake.stop();
});

describe('session shadow against a server', () => {
  it('keeps the shadow STM equal to the server STM through observes, sequences and learns without reading it', async () => {
    const random = mulberry32(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const words = ['b', 'a', 'Zoo', 'apple', 'é', '', 'x', 'y'];
    const strings = (): string[] => Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(words));
    for (const mode of ['CLEAR', 'ROLLING']) {
      const session = await client.createSession({ nodeId: `walk-${mode}`, config: { max_pattern_length: 3, stm_mode: mode } });
      for (let step = 0; step < 60; step++) {
        const action = pick(['observe', 'observe', 'empty', 'sequence', 'learn', 'config', 'clear']);
        if (action === 'observe') await session.observe({ strings: strings() });
        else if (action === 'empty') await session.observe({ emotives: { joy: 1 } });
        else if (action === 'sequence') {
          await session.observeSequence({
            observations: Array.from({ length: Math.floor(random() * 5) }, () => ({ strings: strings() })),
            learn_after_each: random() < 0.2,
            learn_at_end: random() < 0.3,
            clear_stm_between: random() < 0.2,
          });
        } else if (action === 'learn') {
          if (session.stm.length > 0) await session.learn();
        } else if (action === 'config') await session.updateConfig({ max_pattern_length: Math.floor(random() * 5) });
        else await session.clearStm();
        expect(session.stm).toEqual(fake.sessions.get(session.id)!.stm);
      }
    }
    expect(fake.log.filter((line) => line.endsWith('/stm'))).toEqual([]);
  });

  it('reads the STM back after an observation with vectors, whose symbols only the server can name', async () => {
    const session = await client.createSession({ nodeId: 'vectors' });
    await session.observe({ strings: ['a'], vectors: [[1, 0]] });
    expect(session.stm).toEqual(fake.sessions.get(session.id)!.stm);
    expect(session.stm[0][0]).toMatch(/^VCTR\|/);
    expect(fake.log.filter((line) => line.endsWith('/stm'))).toHaveLength(1);
  });
});

describe('session recovery', () => {
  type Verb = (session: KatoSession) => Promise<unknown>;
  const verbs: Record<string, Verb> = {
    observe: (s) => s.observe({ strings: ['c'] }),
    observeSequence: (s) => s.observeSequence({ observations: [{ strings: ['c'] }, { strings: ['d'] }] }),
    learn: (s) => s.learn(),
    getStm: (s) => s.getStm(),
    predictions: (s) => s.predictions(),
    clearStm: (s) => s.clearStm(),
    clearAll: (s) => s.clearAll(),
    perceptData: (s) => s.perceptData(),
    cognitionData: (s) => s.cognitionData(),
    finalizeTraining: (s) => s.finalizeTraining(),
    info: (s) => s.info(),
    getConfig: (s) => s.getConfig(),
    updateConfig: (s) => s.updateConfig({ persistence: 7 }),
    extend: (s) => s.extend(120),
  };

  for (const [name, verb] of Object.entries(verbs)) {
    it(`recreates a vanished session for ${name}, with its config and STM, then carries on`, async () => {
      const session = await client.createSession({ nodeId: 'node-r', config: { max_pattern_length: 3, stm_mode: 'ROLLING' } });
      await session.observe({ strings: ['b', 'a'] });
      await session.observe({ strings: ['z'] });
      await session.updateConfig({ recall_threshold: 0.5 });
      const old = session.id;
      fake.expire(old);
      fake.log.length = 0;
      await verb(session);

      expect(session.id).not.toBe(old);
      expect(client.counters.recoveries).toBe(1);
      expect(logger.warnings).toEqual(['session was gone on the server; recreated it with its config and STM and carried on']);
      const restored = fake.sessions.get(session.id)!;
      expect(restored.config).toMatchObject({ max_pattern_length: 3, stm_mode: 'ROLLING', recall_threshold: 0.5 });
      expect(session.stm).toEqual(restored.stm);
      // Nothing was learned while the STM was replayed (only the verb's own learns, rolling window of 3),
      // and every call after recovery used the new id.
      expect(fake.patterns('node-r')).toBe({ learn: 1, observe: 1, observeSequence: 2 }[name] ?? 0);
      const afterRecovery = fake.log.slice(fake.log.findIndex((line) => line === 'POST /sessions') + 1);
      expect(afterRecovery.every((line) => !line.includes(old))).toBe(true);
    });
  }

  it('gives the verb the STM the session had before it vanished', async () => {
    const session = await client.createSession({ nodeId: 'node-s' });
    await session.observeSequence({ observations: [{ strings: ['q', 'p'] }, { strings: ['r'] }] });
    fake.expire(session.id);
    expect((await session.getStm()).stm).toEqual([['p', 'q'], ['r']]);
    const learned = await session.learn();
    expect(learned.pattern_name).toMatch(/^PTRN\|/);
    expect(fake.patterns('node-s')).toBe(1);
  });

  it('applies a keyed write once when its reply was lost and the retry is answered from the server record', async () => {
    const session = await client.createSession({ nodeId: 'node-d' });
    fake.loseNextReply = true;
    const reply = await session.observeSequence({ observations: [{ strings: ['a'] }, { strings: ['b'] }], learn_at_end: true });
    expect(reply.final_learned_pattern).toMatch(/^PTRN\|/);
    expect(fake.patterns('node-d')).toBe(1);
    expect(client.counters).toMatchObject({ retries: 1, dedupHits: 1 });
    expect(session.stm).toEqual([]);
  });

  it('takes over a session by id, and recreates it with the given STM when it is gone', async () => {
    const first = await client.createSession({ nodeId: 'node-a', config: { max_pattern_length: 4 } });
    await first.observe({ strings: ['x'] });
    const attached = await client.attachSession(first.id, { nodeId: 'node-a', config: { max_pattern_length: 4 } });
    expect(attached.stm).toEqual([['x']]);

    fake.expire(first.id);
    const revived = await client.attachSession(first.id, { nodeId: 'node-a', config: { max_pattern_length: 4 } }, [['x'], ['y']]);
    await revived.observe({ strings: ['z'] });
    expect(revived.id).not.toBe(first.id);
    expect(fake.sessions.get(revived.id)!.stm).toEqual([['x'], ['y'], ['z']]);
    expect(fake.sessions.get(revived.id)!.config.max_pattern_length).toBe(4);
  });

  it('never recreates on exists(), and counts a close() of a vanished session as deleted', async () => {
    const session = await client.createSession({ nodeId: 'node-e' });
    fake.expire(session.id);
    expect((await session.exists()).exists).toBe(false);
    expect((await session.close()).status).toBe('deleted');
    expect(client.counters.recoveries).toBe(0);
  });

  it('refuses an invalid config at creation with the server message and leaves no session behind', async () => {
    const error = await client.createSession({ nodeId: 'node-c', config: { recall_threshold: 2 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as HttpStatusError).status).toBe(400);
    expect((error as Error).message).toContain('recall_threshold');
    expect(fake.sessions.size).toBe(0);
  });

  it('tells a vanished session from other 404s', () => {
    expect(isSessionGone(404, { error: { code: 'SESSION_NOT_FOUND' } })).toBe(true);
    expect(isSessionGone(404, { detail: 'Session s not found or expired' })).toBe(true);
    expect(isSessionGone(404, { detail: 'Not Found' })).toBe(false);
    expect(isSessionGone(400, { error: { code: 'SESSION_NOT_FOUND' } })).toBe(false);
  });

  it('serialises concurrent calls on one session so the shadow follows the server order', async () => {
    const session = await client.createSession({ nodeId: 'node-c2' });
    await Promise.all(Array.from({ length: 10 }, (_, i) => session.observe({ strings: [`s${i}`] })));
    expect(session.stm).toEqual(fake.sessions.get(session.id)!.stm);
    expect(session.stm).toHaveLength(10);
  });
});
