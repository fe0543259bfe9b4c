/**
 * Sessions in the store (spec §5): creation, sliding TTL, expiry, per-session serialisation and
 * the record format that lets every unexpired session survive a restart with its full state.
 */
import { randomUUID } from 'node:crypto';
import type { ConfigValues } from '../engine/processor/config.js';
import type { JsonValue } from '../engine/processor/json-value.js';
import { newSessionState, type PerceptData, type SessionState, type StoredPrediction } from '../engine/processor/session.js';
import type { Store } from '../store/types.js';
import { decodeJsonValue, rawJson } from './json.js';
import { LruMap } from './lru.js';

/** A live session: identity, lifetime, the client's metadata and the processor state. */
export interface Session {
  id: string;
  nodeId: string;
  kbId: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** The session's own TTL; every access slides the expiry to at least now + this. */
  ttlSeconds: number;
  /** Epoch milliseconds. */
  expiresAt: number;
  metadata: Record<string, JsonValue>;
  state: SessionState;
  configUpdatedAt: number;
  configVersion: number;
  /** Which write of the session this copy reflects (see SessionService.isCurrent). */
  stamp?: number;
}

/** The stored form of a session (JSON; user data with float spellings kept as JSON text). */
interface SessionRecord {
  v: 1;
  node_id: string;
  kb_id: string;
  created_at: number;
  ttl_seconds: number;
  metadata: string;
  config_updated_at: number;
  config_version: number;
  stm: string[][];
  emotives_accumulator: Record<string, number>[];
  metadata_accumulator: Record<string, string>[];
  time: number;
  percept_data: (Omit<PerceptData, 'metadata'> & { metadata: string }) | null;
  /** The last observe's predictions as JSON text: only cognition-data reads them. */
  predictions: string;
  config: ConfigValues;
}

// Predictions are the bulk of a session record but rarely read: they stay JSON text until a
// route reads them, and a session that did not replace them writes the same text back.
const predictionText = new WeakMap<SessionState, () => string>();

function lazyPredictions(state: SessionState, text: string): void {
  let value: StoredPrediction[] | undefined;
  let raw: string | undefined = text;
  Object.defineProperty(state, 'predictions', {
    enumerable: true,
    configurable: true,
    get: () => (value ??= JSON.parse(raw!) as StoredPrediction[]),
    set: (next: StoredPrediction[]) => {
      value = next;
      raw = undefined;
    },
  });
  predictionText.set(state, () => (raw ??= JSON.stringify(value)));
}

function encode(session: Session): SessionRecord {
  const { state } = session;
  return {
    v: 1,
    node_id: session.nodeId,
    kb_id: session.kbId,
    created_at: session.createdAt,
    ttl_seconds: session.ttlSeconds,
    metadata: rawJson(session.metadata),
    config_updated_at: session.configUpdatedAt,
    config_version: session.configVersion,
    stm: state.stm,
    emotives_accumulator: state.emotivesAccumulator,
    metadata_accumulator: state.metadataAccumulator,
    time: state.time,
    percept_data: state.perceptData ? { ...state.perceptData, metadata: rawJson(state.perceptData.metadata) } : null,
    predictions: predictionText.get(state)?.() ?? JSON.stringify(state.predictions),
    config: state.config,
  };
}

function decode(id: string, expiresAt: number, r: SessionRecord): Session {
  const session: Session = {
    id,
    nodeId: r.node_id,
    kbId: r.kb_id,
    createdAt: r.created_at,
    ttlSeconds: r.ttl_seconds,
    expiresAt,
    metadata: decodeJsonValue(r.metadata) as Record<string, JsonValue>,
    configUpdatedAt: r.config_updated_at,
    configVersion: r.config_version,
    state: {
      stm: r.stm,
      emotivesAccumulator: r.emotives_accumulator,
      metadataAccumulator: r.metadata_accumulator,
      time: r.time,
      perceptData: r.percept_data
        ? { ...r.percept_data, metadata: decodeJsonValue(r.percept_data.metadata) as Record<string, JsonValue> }
        : null,
      predictions: [],
      config: r.config,
    },
  };
  // Records written before predictions were kept as text hold them as a list.
  lazyPredictions(session.state, typeof r.predictions === 'string' ? r.predictions : JSON.stringify(r.predictions ?? []));
  return session;
}

/** A new session id: `session-<uuid4 hex>-<epoch ms>`, as KATO makes them. */
export function newSessionId(now: number): string {
  return `session-${randomUUID().replaceAll('-', '')}-${now}`;
}

/** What `exists` reports without extending the TTL. */
export interface Existence {
  exists: boolean;
  expired: boolean;
}

/** Options of the session service. */
export interface SessionServiceOptions {
  defaultTtlSeconds: number;
  autoExtend: boolean;
  /** Epoch milliseconds (tests may pin it). */
  now?: () => number;
}

/** Session storage, lifetime and per-session serialisation. */
export class SessionService {
  private readonly locks = new Map<string, Promise<void>>();
  private readonly now: () => number;
  // The stamp of each recently loaded or written session: a copy carrying the current stamp is
  // what the store holds, so a route can use the copy the middleware loaded instead of reading
  // the session again. Bounded; a forgotten stamp only means one more read.
  private readonly stamps = new LruMap<string, number>(10_000);
  private lastStamp = 0;

  constructor(
    private readonly store: Store,
    private readonly options: SessionServiceOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The TTL a new session gets: its requested TTL, or the server default for none or 0. */
  ttlFor(requested: number | null | undefined): number {
    return requested ? requested : this.options.defaultTtlSeconds;
  }

  /** Creates and stores a session. */
  async create(params: {
    nodeId: string;
    kbId: string;
    ttlSeconds: number;
    metadata: Record<string, JsonValue>;
    config: ConfigValues;
  }): Promise<Session> {
    const now = this.now();
    const session: Session = {
      id: newSessionId(now),
      nodeId: params.nodeId,
      kbId: params.kbId,
      createdAt: now,
      ttlSeconds: params.ttlSeconds,
      expiresAt: now + params.ttlSeconds * 1000,
      metadata: params.metadata,
      state: newSessionState(params.config),
      configUpdatedAt: now,
      configVersion: 1,
    };
    await this.save(session);
    return session;
  }

  /** Loads a session; an expired one is deleted and reported missing. Never extends it. */
  async load(id: string): Promise<Session | null> {
    const row = await this.store.getSession(id);
    if (!row) return null;
    if (row.expiresAt <= this.now()) {
      this.stamps.delete(id);
      await this.store.deleteSession(id);
      return null;
    }
    const session = decode(id, row.expiresAt, row.record as unknown as SessionRecord);
    let stamp = this.stamps.get(id);
    if (stamp === undefined) this.stamps.set(id, (stamp = ++this.lastStamp));
    session.stamp = stamp;
    return session;
  }

  /** True when no write happened since this copy of the session was loaded or saved. */
  isCurrent(session: Session): boolean {
    return session.stamp !== undefined && this.stamps.get(session.id) === session.stamp;
  }

  /**
   * Slides the expiry of an accessed session to at least now + its TTL (an `extend` further out
   * is kept). False when the session vanished meanwhile.
   */
  async touch(session: Session): Promise<boolean> {
    if (!this.options.autoExtend) return true;
    const expiresAt = Math.max(session.expiresAt, this.now() + session.ttlSeconds * 1000);
    if (expiresAt === session.expiresAt) return true;
    session.expiresAt = expiresAt;
    return this.store.touchSession(session.id, expiresAt);
  }

  /** Whether a session exists, without extending it (an expired one is deleted). */
  async exists(id: string): Promise<Existence> {
    const row = await this.store.getSession(id);
    if (!row) return { exists: false, expired: false };
    if (row.expiresAt <= this.now()) {
      this.stamps.delete(id);
      await this.store.deleteSession(id);
      return { exists: false, expired: true };
    }
    return { exists: true, expired: false };
  }

  /** Writes the session (its expiry included). */
  async save(session: Session): Promise<void> {
    session.stamp = ++this.lastStamp;
    this.stamps.set(session.id, session.stamp);
    await this.store.putSession({
      id: session.id,
      nodeId: session.nodeId,
      expiresAt: session.expiresAt,
      record: encode(session) as unknown as Record<string, unknown>,
    });
  }

  /** Sets the expiry to now + `ttlSeconds` without changing the session's own TTL. */
  async extend(session: Session, ttlSeconds: number): Promise<void> {
    session.expiresAt = this.now() + ttlSeconds * 1000;
    await this.save(session);
  }

  async delete(id: string): Promise<boolean> {
    this.stamps.delete(id);
    return this.store.deleteSession(id);
  }

  /** Unexpired sessions (expired ones are purged first). */
  async count(): Promise<number> {
    await this.store.purgeExpiredSessions(this.now());
    return this.store.countSessions();
  }

  /** Deletes expired sessions; returns how many. */
  async purgeExpired(): Promise<number> {
    return this.store.purgeExpiredSessions(this.now());
  }

  /** Seconds until the session expires (whole, truncated, never negative). */
  remainingSeconds(session: Session): number {
    return Math.max(0, Math.trunc((session.expiresAt - this.now()) / 1000));
  }

  /**
   * Runs `fn` with the session's lock held: operations on one session run one at a time, in
   * arrival order; different sessions run concurrently.
   */
  async withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.locks.set(id, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      // The map holds only sessions with work queued, so it never grows with the session count.
      if (this.locks.get(id) === tail) this.locks.delete(id);
    }
  }
}
