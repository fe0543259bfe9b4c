/**
 * Request and response bodies of every KATO v3 route (server spec §3), as the client sends and
 * reads them. Field names are KATO's wire names (snake_case), unchanged.
 */
import type { Emotives, Event, SessionConfig } from '../engine/types.js';

export type { Emotives, Event, SessionConfig };

/** Session configuration values a client sets; absent keys keep the server default. */
export type SessionConfigInput = Partial<SessionConfig>;

/** Metadata attached to a session at creation. */
export type JsonObject = Record<string, unknown>;

/** `POST /sessions` body. */
export interface CreateSessionRequest {
  node_id: string;
  metadata?: JsonObject | null;
  ttl_seconds?: number | null;
  config?: SessionConfigInput | null;
}

/** `POST /sessions` and `GET /sessions/{id}` reply. */
export interface SessionResponse {
  session_id: string;
  node_id: string;
  created_at: string;
  expires_at: string;
  ttl_seconds: number;
  metadata: JsonObject;
  session_config: SessionConfig;
}

/** `GET /sessions/count` reply. */
export interface SessionCountResponse {
  active_session_count: number;
}

/** `DELETE /sessions/{id}` reply. */
export interface SessionDeletedResponse {
  status: 'deleted';
  session_id: string;
}

/** `GET /sessions/{id}/exists` reply (never extends the TTL). */
export interface SessionExistsResponse {
  exists: boolean;
  expired: boolean;
  session_id: string;
}

/** `GET /sessions/{id}/config` reply. */
export interface SessionConfigResponse {
  session_id: string;
  config: SessionConfig;
}

/** `POST /sessions/{id}/config` reply. */
export interface ConfigUpdatedResponse {
  status: 'okay';
  message: string;
  session_id: string;
}

/** `POST /sessions/{id}/extend` reply. */
export interface SessionExtendedResponse {
  status: 'extended';
  session_id: string;
  ttl_seconds: number;
}

/** One observation (`POST /sessions/{id}/observe` body, or an item of observe-sequence). */
export interface ObservationInput {
  strings?: string[];
  vectors?: number[][];
  emotives?: Emotives;
  metadata?: JsonObject;
  /** Echoed by observe-sequence; ignored by single observe. */
  unique_id?: string | null;
}

/** `POST /sessions/{id}/observe` reply. */
export interface ObservationResult {
  status: 'okay';
  session_id: string;
  processor_id: string;
  stm_length: number;
  time: number;
  unique_id: string;
  auto_learned_pattern: string | null;
}

/** `POST /sessions/{id}/observe-sequence` body. */
export interface ObserveSequenceRequest {
  observations: ObservationInput[];
  learn_after_each?: boolean;
  learn_at_end?: boolean;
  clear_stm_between?: boolean;
}

/** One item of an observe-sequence reply. */
export interface SequenceItemResult {
  status: 'okay';
  sequence_position: number;
  stm_length: number;
  time: number;
  unique_id: string;
  auto_learned_pattern: string | null;
}

/** `POST /sessions/{id}/observe-sequence` reply. */
export interface ObserveSequenceResult {
  status: 'completed';
  processor_id: string;
  observations_processed: number;
  initial_stm_length: number;
  final_stm_length: number;
  results: SequenceItemResult[];
  auto_learned_patterns: string[];
  final_learned_pattern: string | null;
  isolated: boolean;
}

/** `GET /sessions/{id}/stm` reply. */
export interface StmResponse {
  stm: Event[];
  session_id: string;
  length: number;
}

/** `POST /sessions/{id}/learn` reply: `pattern_name` is `PTRN|<hash>`, or `""` when the STM held < 2 symbols. */
export interface LearnResult {
  status: 'learned';
  pattern_name: string;
  session_id: string;
  processor_id: string | null;
  message: string;
}

/** A fuzzy-match anomaly of a prediction. */
export interface Anomaly {
  observed: string;
  expected: string;
  similarity: number;
}

/** One prediction (full-path object, §8.12; the single-symbol path omits some fields). */
export interface Prediction {
  type?: 'prototypical';
  name: string;
  frequency: number;
  emotives: Emotives;
  matches: string[];
  past: Event[] | string[];
  present: Event[] | string[];
  future: Event[] | string[];
  missing: Event[] | string[];
  extras: Event[] | string[];
  anomalies: Anomaly[];
  sequence?: Event[];
  pattern_data?: Event[];
  length?: number;
  similarity: number;
  evidence: number;
  confidence: number;
  snr: number;
  fragmentation: number;
  potential: number;
  confluence?: number;
  itfdf_similarity?: number;
  tfidf_score?: number;
  entropy?: number;
  normalized_entropy?: number;
  global_normalized_entropy?: number;
  predictive_information?: number;
  pattern_probability?: number;
  weighted_strength?: number;
  bayesian_posterior?: number;
  bayesian_prior?: number;
  bayesian_likelihood?: number;
  weighted_similarity?: number | null;
  weighted_evidence?: number | null;
  weighted_confidence?: number | null;
  weighted_snr?: number | null;
}

/** One entry of `future_potentials`. */
export interface FuturePotential {
  future: Event[];
  aggregate_potential: number;
  supporting_patterns: number;
  total_weighted_frequency: number;
}

/** `GET /sessions/{id}/predictions` reply. */
export interface PredictionsResponse {
  predictions: Prediction[];
  future_potentials: FuturePotential[] | null;
  session_id: string;
  processor_id: string | null;
  count: number;
  time: number | null;
  unique_id: string | null;
}

/** `POST /sessions/{id}/clear-stm` reply. */
export interface ClearStmResponse {
  status: 'cleared';
  session_id: string;
}

/** `POST /sessions/{id}/clear-all` reply. */
export interface ClearAllResponse {
  status: 'cleared';
  session_id: string;
  scope: 'all';
}

/** The last observation of a session, as `percept-data` reports it (`{}` after creation or clear). */
export interface PerceptData {
  strings?: string[];
  vectors?: number[][];
  emotives?: Emotives;
  path?: unknown[];
  metadata?: JsonObject;
}

/** `GET /sessions/{id}/percept-data` reply. */
export interface PerceptDataResponse {
  percept_data: PerceptData;
  session_id: string;
  node_id: string;
}

/** A session's cognition snapshot. */
export interface CognitionData {
  predictions: Prediction[];
  emotives: Emotives;
  symbols: string[];
  command: string;
  metadata: JsonObject;
  path: unknown[];
  strings: string[];
  vectors: number[][];
  short_term_memory: Event[];
  time?: number;
}

/** `GET /sessions/{id}/cognition-data` reply. */
export interface CognitionDataResponse {
  cognition_data: CognitionData;
  session_id: string;
  node_id: string;
}

/** `POST /sessions/{id}/finalize-training` reply. */
export interface FinalizeTrainingResponse {
  status: 'completed';
  patterns_processed: number;
  time_ms: number;
  session_id: string;
  node_id: string;
  message: string;
}

/** A stored pattern as `GET /pattern/{id}` shows it. */
export interface PatternView {
  name: string;
  pattern_data: Event[];
  length: number;
  frequency: number;
  emotives?: Emotives[];
  metadata?: Record<string, string[]>;
}

/** `GET /pattern/{id}` reply: found, or an inner error object (the reference always answers 200). */
export interface PatternResponse {
  pattern: { status: 'okay'; pattern: PatternView } | { status: 'error'; message: string };
  node_id: string;
}

/** `GET /symbols/affinity` reply. */
export interface SymbolAffinitiesResponse {
  affinities: Record<string, Emotives>;
  node_id: string;
}

/** `GET /symbols/{symbol}/affinity` reply. */
export interface SymbolAffinityResponse {
  symbol: string;
  affinity: Emotives;
  node_id: string;
}

/** `GET /symbols/stats` reply. */
export interface SymbolStatsResponse {
  symbols: Record<string, { name: string; frequency: number; pattern_member_frequency: number }>;
  node_id: string;
}

/** `GET /percept-data` (deprecated, node-scoped) reply. */
export interface NodePerceptDataResponse {
  percept_data: JsonObject;
  node_id: string;
  warning: string;
}

/** `GET /cognition-data` (deprecated, node-scoped) reply. */
export interface NodeCognitionDataResponse {
  cognition_data: CognitionData;
  node_id: string;
  warning: string;
}

/** `GET /` reply. */
export interface RootInfo {
  service: string;
  version: string;
  description: string;
  docs: string;
  health: string;
  status: string;
  uptime_seconds: number;
  architecture: string;
  session_support: boolean;
}

/** `GET /health` reply. */
export interface HealthResponse {
  status: 'healthy' | 'degraded' | 'unhealthy';
  processor_status: string;
  service_name: string;
  uptime_seconds: number;
  issues: string[];
  metrics_collected: number;
  last_collection: number;
  active_sessions: number;
  timestamp: string;
}

/** `GET /status` reply. */
export interface StatusResponse {
  status: string;
  base_processor_id: string;
  uptime_seconds: number;
  sessions: JsonObject;
  processors: JsonObject;
  version: string;
}

/** `GET /metrics/{name}` reply. */
export interface MetricHistoryResponse {
  metric_name: string;
  time_range_minutes: number;
  timestamp: number | string;
  statistics: { count: number; min: number; max: number; avg: number };
  data_points: { timestamp: number | string; value: number; labels: JsonObject }[];
}

/** `GET /stats` reply. */
export interface StatsResponse {
  time_range_minutes: number;
  timestamp: number | string;
  processor_manager: JsonObject;
  current_status: JsonObject;
  time_series: Record<string, unknown[]>;
  summary: JsonObject;
}

/** `GET /metrics`: KATO's JSON object, or Prometheus text when the server speaks that format. */
export type MetricsResponse = JsonObject | string;

/** The diagnostics routes (`/concurrency`, `/cache/stats`, …): any JSON object with a `timestamp`. */
export type DiagnosticsResponse = JsonObject;
