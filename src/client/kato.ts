/**
 * The KATO client: sessions (created, attached, recovered), node-scoped pattern and symbol
 * routes, health, status and monitoring; one transport and retry policy behind every call.
 */
import { bareName } from '../engine/names.js';
import type { Event } from '../engine/types.js';
import { createServerSession, KatoSession, type SessionOptions } from './session.js';
import { HttpTransport, newIdempotencyKey, type ClientCounters, type TransportOptions } from './transport.js';
import type {
  DiagnosticsResponse,
  HealthResponse,
  MetricHistoryResponse,
  MetricsResponse,
  NodeCognitionDataResponse,
  NodePerceptDataResponse,
  PatternResponse,
  PatternView,
  RootInfo,
  SessionCountResponse,
  SessionExistsResponse,
  SessionResponse,
  StatsResponse,
  StatusResponse,
  StmResponse,
  SymbolAffinitiesResponse,
  SymbolAffinityResponse,
  SymbolStatsResponse,
} from './types.js';

export type KatoClientOptions = TransportOptions;

/** A client of one KATO server. */
export class KatoClient {
  readonly transport: HttpTransport;

  constructor(options: KatoClientOptions | HttpTransport) {
    this.transport = options instanceof HttpTransport ? options : new HttpTransport(options);
  }

  /** Requests, retries, recoveries and dedup hits so far (live object). */
  get counters(): ClientCounters {
    return this.transport.counters;
  }

  /** `POST /sessions` (+ its config): a new session whose shadow starts empty. */
  async createSession(options: SessionOptions): Promise<KatoSession> {
    const created = await createServerSession(this.transport, options);
    return new KatoSession(this.transport, created, options);
  }

  /**
   * Takes over an existing session id (e.g. after this process restarted). A live session's
   * STM becomes the shadow; a session already gone is recreated by its first call, with
   * `options.config` and `stm` restored, like any other vanished session.
   */
  async attachSession(sessionId: string, options: SessionOptions, stm: Event[] = []): Promise<KatoSession> {
    const info = await this.sessionInfo(sessionId);
    if (info === null) return new KatoSession(this.transport, { session_id: sessionId }, options, stm);
    const current = await this.transport.send<StmResponse>({ method: 'GET', path: `/sessions/${encodeURIComponent(sessionId)}/stm`, kind: 'read' });
    return new KatoSession(this.transport, info, options, current.body.stm);
  }

  /** `GET /sessions/count`. */
  async sessionCount(): Promise<number> {
    return (await this.get<SessionCountResponse>('/sessions/count')).active_session_count;
  }

  /** `GET /sessions/{id}/exists` for any id. */
  async sessionExists(sessionId: string): Promise<SessionExistsResponse> {
    return this.get<SessionExistsResponse>(`/sessions/${encodeURIComponent(sessionId)}/exists`);
  }

  /** `GET /sessions/{id}` for any id; null when the server does not know it. */
  async sessionInfo(sessionId: string): Promise<SessionResponse | null> {
    const reply = await this.transport.send<SessionResponse>({
      method: 'GET',
      path: `/sessions/${encodeURIComponent(sessionId)}`,
      kind: 'read',
      accept: [404],
    });
    return reply.status === 404 ? null : reply.body;
  }

  /** `DELETE /sessions/{id}` for any id; false when it did not exist. */
  async deleteSession(sessionId: string): Promise<boolean> {
    const reply = await this.transport.send({ method: 'DELETE', path: `/sessions/${encodeURIComponent(sessionId)}`, kind: 'write', accept: [404] });
    return reply.status !== 404;
  }

  /** `GET /pattern/{id}` of a node (id with or without `PTRN|`): the pattern, or null when the node lacks it. */
  async pattern(nodeId: string, patternId: string): Promise<PatternView | null> {
    const reply = await this.transport.send<PatternResponse>({
      method: 'GET',
      path: `/pattern/${encodeURIComponent(patternId)}`,
      query: { node_id: nodeId },
      kind: 'read',
      accept: [404],
    });
    if (reply.status === 404) return null;
    const inner = reply.body.pattern;
    return inner.status === 'okay' ? inner.pattern : null;
  }

  /** Many patterns of a node by name (bare or prefixed), fetched concurrently; missing names are absent. */
  async patterns(nodeId: string, names: readonly string[]): Promise<Map<string, PatternView>> {
    const found = await Promise.all(names.map(async (name) => [bareName(name), await this.pattern(nodeId, name)] as const));
    const out = new Map<string, PatternView>();
    for (const [name, view] of found) if (view) out.set(name, view);
    return out;
  }

  /** `GET /symbols/affinity` of a node. */
  symbolAffinities(nodeId: string): Promise<SymbolAffinitiesResponse> {
    return this.get('/symbols/affinity', { node_id: nodeId });
  }

  /** `GET /symbols/{symbol}/affinity` of a node. */
  symbolAffinity(nodeId: string, symbol: string): Promise<SymbolAffinityResponse> {
    return this.get(`/symbols/${encodeURIComponent(symbol)}/affinity`, { node_id: nodeId });
  }

  /** `GET /symbols/stats` of a node. */
  symbolStats(nodeId: string): Promise<SymbolStatsResponse> {
    return this.get('/symbols/stats', { node_id: nodeId });
  }

  /** `GET /percept-data` (deprecated node-scoped route with a fixed body, as in KATO). */
  nodePerceptData(nodeId: string): Promise<NodePerceptDataResponse> {
    return this.get('/percept-data', { node_id: nodeId });
  }

  /** `GET /cognition-data` (deprecated node-scoped route with a fixed body, as in KATO). */
  nodeCognitionData(nodeId: string): Promise<NodeCognitionDataResponse> {
    return this.get('/cognition-data', { node_id: nodeId });
  }

  /** `GET /`. */
  root(): Promise<RootInfo> {
    return this.get('/');
  }

  /** `GET /health` (one attempt sequence under the retry policy). */
  health(): Promise<HealthResponse> {
    return this.get('/health', undefined, 'health');
  }

  /** Waits until `/health` answers 200 (default: the policy's health wait, 60 s). */
  waitForHealth(waitMs?: number): Promise<void> {
    return this.transport.waitForHealth(waitMs);
  }

  /** `GET /status`. */
  status(): Promise<StatusResponse> {
    return this.get('/status');
  }

  /** `GET /metrics`: KATO's JSON, or the Prometheus text a server may serve instead. */
  metrics(): Promise<MetricsResponse> {
    return this.get('/metrics');
  }

  /** `GET /metrics/{name}?minutes=N`. */
  metricHistory(name: string, minutes = 10): Promise<MetricHistoryResponse> {
    return this.get(`/metrics/${encodeURIComponent(name)}`, { minutes });
  }

  /** `GET /stats?minutes=N`. */
  stats(minutes = 10): Promise<StatsResponse> {
    return this.get('/stats', { minutes });
  }

  /** `GET /concurrency`. */
  concurrency(): Promise<DiagnosticsResponse> {
    return this.get('/concurrency');
  }

  /** `GET /cache/stats`. */
  cacheStats(): Promise<DiagnosticsResponse> {
    return this.get('/cache/stats');
  }

  /** `POST /cache/invalidate` (optionally for one session). */
  async invalidateCache(sessionId?: string): Promise<DiagnosticsResponse> {
    const reply = await this.transport.send<DiagnosticsResponse>({
      method: 'POST',
      path: '/cache/invalidate',
      query: { session_id: sessionId },
      kind: 'write',
      idempotencyKey: newIdempotencyKey(),
    });
    return reply.body;
  }

  /** `GET /distributed-stm/stats`. */
  distributedStmStats(): Promise<DiagnosticsResponse> {
    return this.get('/distributed-stm/stats');
  }

  /** `GET /connection-pools`. */
  connectionPools(): Promise<DiagnosticsResponse> {
    return this.get('/connection-pools');
  }

  /** Closes the connection pool. */
  close(): Promise<void> {
    return this.transport.close();
  }

  private async get<T>(path: string, query?: Record<string, string | number | undefined>, kind: 'read' | 'health' = 'read'): Promise<T> {
    return (await this.transport.send<T>({ method: 'GET', path, query, kind })).body;
  }
}
