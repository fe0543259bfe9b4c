/**
 * A KATO session seen from the client: every session-scoped route, calls serialised, a shadow of
 * config and STM kept from the replies, and recovery (recreate, reconfigure, restore STM) for any verb.
 */
import type { Event } from '../engine/types.js';
import { HttpStatusError, SessionRecoveryError } from './errors.js';
import { mergeConfig, serverSorts, stmAfterObserve, stmAfterSequence, type SessionShadow } from './shadow.js';
import { newIdempotencyKey, type HttpRequest, type HttpResponse, type HttpTransport } from './transport.js';
import type {
  ClearAllResponse,
  ClearStmResponse,
  CognitionDataResponse,
  ConfigUpdatedResponse,
  FinalizeTrainingResponse,
  JsonObject,
  LearnResult,
  ObservationInput,
  ObservationResult,
  ObserveSequenceRequest,
  ObserveSequenceResult,
  PerceptDataResponse,
  PredictionsResponse,
  SessionConfigInput,
  SessionConfigResponse,
  SessionDeletedResponse,
  SessionExistsResponse,
  SessionExtendedResponse,
  SessionResponse,
  StmResponse,
} from './types.js';

/** What a session is created with, and recreated with after it vanishes. */
export interface SessionOptions {
  nodeId: string;
  /** Config applied right after creation (validated by the server's update validator, so errors surface). */
  config?: SessionConfigInput;
  metadata?: JsonObject;
  ttlSeconds?: number;
}

/** Recoveries one call may go through before it gives up (a session vanishing again and again). */
const MAX_RECOVERIES_PER_CALL = 3;

/** True for the server's "this session does not exist (any more)" reply. */
export function isSessionGone(status: number, body: unknown): boolean {
  if (status !== 404 || body === null || typeof body !== 'object') return false;
  const record = body as { error?: { code?: unknown }; detail?: unknown };
  if (record.error?.code === 'SESSION_NOT_FOUND') return true;
  return typeof record.detail === 'string' && /not found or expired/i.test(record.detail);
}

/** `/sessions/<id><rest>` with the id escaped. */
function sessionPath(id: string, rest = ''): string {
  return `/sessions/${encodeURIComponent(id)}${rest}`;
}

/** Creates a server session and applies its config; a refused config deletes the new session again. */
export async function createServerSession(transport: HttpTransport, options: SessionOptions): Promise<SessionResponse> {
  const created = await transport.send<SessionResponse>({
    method: 'POST',
    path: '/sessions',
    body: { node_id: options.nodeId, metadata: options.metadata ?? {}, ttl_seconds: options.ttlSeconds ?? null },
    kind: 'write',
    idempotencyKey: newIdempotencyKey(),
  });
  const session = created.body;
  const config = options.config ?? {};
  if (Object.keys(config).length > 0) {
    try {
      await transport.send<ConfigUpdatedResponse>({
        method: 'POST',
        path: sessionPath(session.session_id, '/config'),
        body: { config },
        kind: 'write',
        idempotencyKey: newIdempotencyKey(),
      });
    } catch (err) {
      await transport
        .send({ method: 'DELETE', path: sessionPath(session.session_id), kind: 'write', accept: [404] })
        .catch(() => undefined);
      throw err;
    }
  }
  return session;
}

/** One server session with its shadow; every method survives the session vanishing server-side. */
export class KatoSession {
  private sessionId: string;
  private readonly transport: HttpTransport;
  private readonly options: SessionOptions;
  private readonly shadow: SessionShadow;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    transport: HttpTransport,
    created: { session_id: string; session_config?: Partial<SessionResponse['session_config']> },
    options: SessionOptions,
    stm: Event[] = [],
  ) {
    this.transport = transport;
    this.sessionId = created.session_id;
    this.options = options;
    this.shadow = {
      config: { ...options.config },
      serverSortsByDefault: created.session_config?.sort_symbols !== false,
      stm: stm.map((event) => [...event]),
    };
  }

  /** The current server session id (changes when the session is recreated). */
  get id(): string {
    return this.sessionId;
  }

  get nodeId(): string {
    return this.options.nodeId;
  }

  /** The STM as the server last confirmed it. */
  get stm(): readonly Event[] {
    return this.shadow.stm;
  }

  /** Every config value this client set on the session. */
  get config(): Readonly<SessionConfigInput> {
    return this.shadow.config;
  }

  /** `POST …/observe`: one observation; the shadow STM advances from the reply. */
  observe(observation: ObservationInput): Promise<ObservationResult> {
    return this.serial(async () => {
      const key = newIdempotencyKey();
      const reply = await this.exchange<ObservationResult>((id) => ({
        method: 'POST',
        path: sessionPath(id, '/observe'),
        body: observation,
        kind: 'write',
        idempotencyKey: key,
      }));
      const next = reply.trusted ? stmAfterObserve(this.shadow.stm, observation, reply.body.stm_length, serverSorts(this.shadow)) : null;
      await this.settleStm(next);
      return reply.body;
    });
  }

  /** `POST …/observe-sequence`: many observations in one call, with optional learns. */
  observeSequence(request: ObserveSequenceRequest): Promise<ObserveSequenceResult> {
    return this.serial(async () => {
      const key = newIdempotencyKey();
      const reply = await this.exchange<ObserveSequenceResult>((id) => ({
        method: 'POST',
        path: sessionPath(id, '/observe-sequence'),
        body: request,
        kind: 'write',
        idempotencyKey: key,
      }));
      const next = reply.trusted ? stmAfterSequence(this.shadow.stm, request, reply.body, serverSorts(this.shadow)) : null;
      await this.settleStm(next);
      return reply.body;
    });
  }

  /** `POST …/learn`: learns the STM (which the server then empties, whatever was learned). */
  learn(): Promise<LearnResult> {
    return this.serial(async () => {
      const key = newIdempotencyKey();
      const reply = await this.exchange<LearnResult>((id) => ({
        method: 'POST',
        path: sessionPath(id, '/learn'),
        body: {},
        kind: 'write',
        idempotencyKey: key,
      }));
      this.shadow.stm = [];
      return reply.body;
    });
  }

  /** `GET …/stm`: the server's STM (also refreshes the shadow). */
  getStm(): Promise<StmResponse> {
    return this.serial(async () => {
      const reply = await this.exchange<StmResponse>((id) => ({ method: 'GET', path: sessionPath(id, '/stm'), kind: 'read' }));
      this.shadow.stm = reply.body.stm;
      return reply.body;
    });
  }

  /** `GET …/predictions`: predictions for the current STM under the session config. */
  predictions(): Promise<PredictionsResponse> {
    return this.serial(async () => {
      const reply = await this.exchange<PredictionsResponse>((id) => ({ method: 'GET', path: sessionPath(id, '/predictions'), kind: 'read' }));
      return reply.body;
    });
  }

  /** `POST …/clear-stm`: empties STM and accumulators. */
  clearStm(): Promise<ClearStmResponse> {
    return this.serial(async () => {
      const key = newIdempotencyKey();
      const reply = await this.exchange<ClearStmResponse>((id) => ({
        method: 'POST',
        path: sessionPath(id, '/clear-stm'),
        body: {},
        kind: 'write',
        idempotencyKey: key,
      }));
      this.shadow.stm = [];
      return reply.body;
    });
  }

  /** `POST …/clear-all`: deletes the node's whole KB and this session's STM. */
  clearAll(): Promise<ClearAllResponse> {
    return this.serial(async () => {
      const key = newIdempotencyKey();
      const reply = await this.exchange<ClearAllResponse>((id) => ({
        method: 'POST',
        path: sessionPath(id, '/clear-all'),
        body: {},
        kind: 'write',
        idempotencyKey: key,
      }));
      this.shadow.stm = [];
      return reply.body;
    });
  }

  /** `GET …/percept-data`: the last observation. */
  perceptData(): Promise<PerceptDataResponse> {
    return this.serial(async () => {
      const reply = await this.exchange<PerceptDataResponse>((id) => ({ method: 'GET', path: sessionPath(id, '/percept-data'), kind: 'read' }));
      return reply.body;
    });
  }

  /** `GET …/cognition-data`: the cognition snapshot (its STM also refreshes the shadow). */
  cognitionData(): Promise<CognitionDataResponse> {
    return this.serial(async () => {
      const reply = await this.exchange<CognitionDataResponse>((id) => ({ method: 'GET', path: sessionPath(id, '/cognition-data'), kind: 'read' }));
      const stm = reply.body.cognition_data?.short_term_memory;
      if (Array.isArray(stm)) this.shadow.stm = stm;
      return reply.body;
    });
  }

  /** `POST …/finalize-training`: precomputes per-pattern metrics of the node. */
  finalizeTraining(): Promise<FinalizeTrainingResponse> {
    return this.serial(async () => {
      const key = newIdempotencyKey();
      const reply = await this.exchange<FinalizeTrainingResponse>((id) => ({
        method: 'POST',
        path: sessionPath(id, '/finalize-training'),
        body: {},
        kind: 'batch',
        idempotencyKey: key,
      }));
      return reply.body;
    });
  }

  /** `GET /sessions/{id}`: the session record (slides its TTL). */
  info(): Promise<SessionResponse> {
    return this.serial(async () => {
      const reply = await this.exchange<SessionResponse>((id) => ({ method: 'GET', path: sessionPath(id), kind: 'read' }));
      return reply.body;
    });
  }

  /** `GET …/config`: the effective config. */
  getConfig(): Promise<SessionConfigResponse> {
    return this.serial(async () => {
      const reply = await this.exchange<SessionConfigResponse>((id) => ({ method: 'GET', path: sessionPath(id, '/config'), kind: 'read' }));
      return reply.body;
    });
  }

  /** `POST …/config`: updates config; accepted values join the shadow, so a recreated session gets them back. */
  updateConfig(config: SessionConfigInput): Promise<ConfigUpdatedResponse> {
    return this.serial(async () => {
      const key = newIdempotencyKey();
      const reply = await this.exchange<ConfigUpdatedResponse>((id) => ({
        method: 'POST',
        path: sessionPath(id, '/config'),
        body: { config },
        kind: 'write',
        idempotencyKey: key,
      }));
      this.shadow.config = mergeConfig(this.shadow.config, config);
      return reply.body;
    });
  }

  /** `POST …/extend?ttl_seconds=N`: sets the expiry to now + N (the next access slides it back to the session TTL). */
  extend(ttlSeconds = 3600): Promise<SessionExtendedResponse> {
    return this.serial(async () => {
      const key = newIdempotencyKey();
      const reply = await this.exchange<SessionExtendedResponse>((id) => ({
        method: 'POST',
        path: sessionPath(id, '/extend'),
        query: { ttl_seconds: ttlSeconds },
        kind: 'write',
        idempotencyKey: key,
      }));
      return reply.body;
    });
  }

  /** `GET …/exists`: whether the server still holds this session (never recreates it, never extends it). */
  exists(): Promise<SessionExistsResponse> {
    return this.serial(async () => {
      const reply = await this.transport.send<SessionExistsResponse>({ method: 'GET', path: sessionPath(this.sessionId, '/exists'), kind: 'read' });
      return reply.body;
    });
  }

  /** `DELETE /sessions/{id}`: ends the session; one already gone counts as deleted. */
  close(): Promise<SessionDeletedResponse> {
    return this.serial(async () => {
      const reply = await this.transport.send<SessionDeletedResponse | JsonObject>({
        method: 'DELETE',
        path: sessionPath(this.sessionId),
        kind: 'write',
        accept: [404],
      });
      return reply.status === 404 ? { status: 'deleted', session_id: this.sessionId } : (reply.body as SessionDeletedResponse);
    });
  }

  /** Runs calls on this session one at a time, so the shadow follows the server's order. */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task, task);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Sends a session-scoped call built for the current id; when the server reports the session
   * gone, recreates it and sends the call again (same idempotency key) on the new id.
   * `trusted` is false when the reply cannot be applied to the shadow as it stands (a write
   * answered from the server's record after this call recreated the session).
   */
  private async exchange<T>(build: (id: string) => HttpRequest): Promise<{ body: T; trusted: boolean }> {
    let recovered = false;
    for (let recoveries = 0; ; recoveries++) {
      const request = build(this.sessionId);
      const reply: HttpResponse<unknown> = await this.transport.send({ ...request, accept: [...(request.accept ?? []), 404] });
      if (reply.status === 404) {
        if (!isSessionGone(reply.status, reply.body)) throw new HttpStatusError(request.method, request.path, reply.status, reply.body);
        if (recoveries >= MAX_RECOVERIES_PER_CALL) {
          throw new SessionRecoveryError(`session of node ${this.options.nodeId} vanished ${recoveries + 1} times during one call`, {
            nodeId: this.options.nodeId,
            sessionId: this.sessionId,
          });
        }
        await this.recover(request.method, request.path);
        recovered = true;
        continue;
      }
      return { body: reply.body as T, trusted: !(recovered && reply.replayed) };
    }
  }

  /** Applies a derived STM, or fetches the server's when the reply did not determine it. */
  private async settleStm(next: Event[] | null): Promise<void> {
    if (next !== null) {
      this.shadow.stm = next;
      return;
    }
    const reply = await this.exchange<StmResponse>((id) => ({ method: 'GET', path: sessionPath(id, '/stm'), kind: 'read' }));
    this.shadow.stm = reply.body.stm;
  }

  /** Recreates the session with the shadow's config and replays its STM, then logs what it did. */
  private async recover(method: string, path: string): Promise<void> {
    const previous = this.sessionId;
    const stm = this.shadow.stm;
    const transport = this.transport;
    try {
      const created = (
        await transport.send<SessionResponse>({
          method: 'POST',
          path: '/sessions',
          body: { node_id: this.options.nodeId, metadata: this.options.metadata ?? {}, ttl_seconds: this.options.ttlSeconds ?? null },
          kind: 'write',
          idempotencyKey: newIdempotencyKey(),
        })
      ).body;
      const id = created.session_id;
      this.shadow.serverSortsByDefault = created.session_config?.sort_symbols !== false;
      const config: SessionConfigInput = { ...this.shadow.config };
      if (stm.length > 0) {
        // Replaying must neither auto-learn nor spend time on predictions; the real values follow.
        await transport.send({
          method: 'POST',
          path: sessionPath(id, '/config'),
          body: { config: { max_pattern_length: 0, process_predictions: false } },
          kind: 'write',
          idempotencyKey: newIdempotencyKey(),
        });
        const replay = await transport.send<ObserveSequenceResult>({
          method: 'POST',
          path: sessionPath(id, '/observe-sequence'),
          body: { observations: stm.map((event) => ({ strings: event })), learn_after_each: false, learn_at_end: false, clear_stm_between: false },
          kind: 'write',
          idempotencyKey: newIdempotencyKey(),
        });
        if (replay.body.final_stm_length !== stm.length) {
          throw new SessionRecoveryError(`restored STM has ${replay.body.final_stm_length} events, expected ${stm.length}`, {
            sessionId: id,
          });
        }
        config.max_pattern_length ??= created.session_config?.max_pattern_length ?? 0;
        config.process_predictions ??= created.session_config?.process_predictions ?? true;
      }
      if (Object.keys(config).length > 0) {
        await transport.send({
          method: 'POST',
          path: sessionPath(id, '/config'),
          body: { config },
          kind: 'write',
          idempotencyKey: newIdempotencyKey(),
        });
      }
      this.sessionId = id;
      transport.counters.recoveries++;
      transport.logger.warn(
        { nodeId: this.options.nodeId, previousSession: previous, session: id, stmEvents: stm.length, configKeys: Object.keys(config), during: `${method} ${path}` },
        'session was gone on the server; recreated it with its config and STM and carried on',
      );
    } catch (err) {
      // An unreachable server stays a ServerUnavailableError; a refused step means recovery itself failed.
      if (!(err instanceof HttpStatusError)) throw err;
      throw new SessionRecoveryError(
        `could not recreate the session of node ${this.options.nodeId}: ${err instanceof Error ? err.message : String(err)}`,
        { nodeId: this.options.nodeId, previousSession: previous },
        { cause: err },
      );
    }
  }
}
