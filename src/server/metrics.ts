/**
 * Monitoring: the in-process figures behind KATO's /metrics, /stats and /metrics/{name} JSON,
 * and the Prometheus registry (request counts and latency per route, sessions, patterns per node).
 */
import { statfs } from 'node:fs/promises';
import { cpus, freemem, totalmem } from 'node:os';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One sample of a time series. */
export interface DataPoint {
  /** Epoch seconds. */
  timestamp: number;
  value: number;
  labels: Record<string, string>;
}

/** The time series /stats always lists (possibly empty). */
export const SERIES = [
  'kato_cpu_usage_percent',
  'kato_memory_usage_percent',
  'kato_requests_total',
  'kato_request_duration_seconds',
] as const;

// Bounds that keep memory flat: an hour of samples per series, a minute of request durations.
const SERIES_WINDOW_MS = 60 * 60 * 1000;
const SERIES_MAX_POINTS = 10_000;
const RECENT_WINDOW_MS = 60 * 1000;

/** Where /metrics' node figures come from (filled in by the server). */
export interface MetricsSources {
  activeSessions(): Promise<number>;
  /** Patterns per kb_id, for the nodes the store holds. */
  patternsPerNode(): Promise<Map<string, number>>;
  /** The data directory whose disk use /metrics reports (none for an injected store). */
  dataDir: string | undefined;
}

/** Request and session counters of one server process. */
export class MetricsCollector {
  readonly registry = new Registry();
  readonly startedAt = Date.now();
  totalRequests = 0;
  totalErrors = 0;
  sessionsCreated = 0;
  sessionsDeleted = 0;
  operations = 0;
  inFlight = 0;
  peakInFlight = 0;
  private readonly recent: { at: number; seconds: number; error: boolean }[] = [];
  private readonly series = new Map<string, DataPoint[]>();
  private lastCpu = process.cpuUsage();
  private lastCpuAt = Date.now();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly dataDir: string | undefined;
  private readonly latency: Histogram<'method' | 'route'>;

  constructor(sources: MetricsSources) {
    this.dataDir = sources.dataDir;
    collectDefaultMetrics({ register: this.registry, prefix: 'kato_' });
    this.requests = new Counter({
      name: 'kato_http_requests_total',
      help: 'HTTP requests by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'kato_http_request_duration_seconds',
      help: 'HTTP request latency by method and route pattern.',
      labelNames: ['method', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    new Gauge({
      name: 'kato_active_sessions',
      help: 'Unexpired sessions in the store.',
      registers: [this.registry],
      async collect() {
        this.set(await sources.activeSessions());
      },
    });
    new Gauge({
      name: 'kato_node_patterns',
      help: 'Distinct patterns per node (kb_id).',
      labelNames: ['kb_id'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [kbId, n] of await sources.patternsPerNode()) this.set({ kb_id: kbId }, n);
      },
    });
    const metrics = this;
    new Gauge({
      name: 'kato_requests_in_flight',
      help: 'Requests being processed.',
      registers: [this.registry],
      collect() {
        this.set(metrics.inFlight);
      },
    });
  }

  /** Records one finished request. */
  record(method: string, route: string, status: number, seconds: number): void {
    const now = Date.now();
    this.totalRequests++;
    const error = status >= 500;
    if (error) this.totalErrors++;
    this.requests.inc({ method, route, status: String(status) });
    this.latency.observe({ method, route }, seconds);
    this.recent.push({ at: now, seconds, error });
    this.trimRecent(now);
    this.addPoint('kato_request_duration_seconds', { timestamp: now / 1000, value: seconds, labels: { method, route } });
  }

  private trimRecent(now: number): void {
    let drop = 0;
    while (drop < this.recent.length && this.recent[drop].at < now - RECENT_WINDOW_MS) drop++;
    if (drop > 0) this.recent.splice(0, drop);
  }

  private addPoint(name: string, point: DataPoint): void {
    let points = this.series.get(name);
    if (!points) this.series.set(name, (points = []));
    points.push(point);
    const cutoff = point.timestamp - SERIES_WINDOW_MS / 1000;
    let drop = 0;
    while (drop < points.length && (points[drop].timestamp < cutoff || points.length - drop > SERIES_MAX_POINTS)) drop++;
    if (drop > 0) points.splice(0, drop);
  }

  /** Mean request duration (seconds) over the last minute, 0 without requests. */
  averageResponseTime(): number {
    this.trimRecent(Date.now());
    if (this.recent.length === 0) return 0;
    return this.recent.reduce((sum, r) => sum + r.seconds, 0) / this.recent.length;
  }

  /** Server errors (5xx) in the last minute. */
  recentErrors(): number {
    this.trimRecent(Date.now());
    return this.recent.filter((r) => r.error).length;
  }

  /** CPU use of this process since the previous call, as a percentage of the machine. */
  cpuPercent(): number {
    const now = Date.now();
    const usage = process.cpuUsage(this.lastCpu);
    const elapsedMs = Math.max(1, now - this.lastCpuAt);
    this.lastCpu = process.cpuUsage();
    this.lastCpuAt = now;
    const percent = ((usage.user + usage.system) / 1000 / elapsedMs / Math.max(1, cpus().length)) * 100;
    return Math.min(100, Math.max(0, percent));
  }

  /** Machine memory in use, percent. */
  memoryPercent(): number {
    const total = totalmem();
    return total > 0 ? ((total - freemem()) / total) * 100 : 0;
  }

  /** Disk use of the data directory's file system, percent (0 when unknown). */
  async diskPercent(): Promise<number> {
    if (!this.dataDir) return 0;
    try {
      const s = await statfs(this.dataDir);
      return s.blocks > 0 ? ((s.blocks - s.bfree) / s.blocks) * 100 : 0;
    } catch {
      return 0;
    }
  }

  /** Samples the resource series (called every 10 s and on /stats). */
  sample(): { cpu: number; memory: number } {
    const now = Date.now() / 1000;
    const cpu = this.cpuPercent();
    const memory = this.memoryPercent();
    this.addPoint('kato_cpu_usage_percent', { timestamp: now, value: cpu, labels: {} });
    this.addPoint('kato_memory_usage_percent', { timestamp: now, value: memory, labels: {} });
    this.addPoint('kato_requests_total', { timestamp: now, value: this.totalRequests, labels: {} });
    return { cpu, memory };
  }

  /** Points of a series within the last `minutes`. */
  points(name: string, minutes: number): DataPoint[] {
    const cutoff = Date.now() / 1000 - minutes * 60;
    return (this.series.get(name) ?? []).filter((p) => p.timestamp >= cutoff);
  }

  /** Every series (the listed ones always present) within the last `minutes`. */
  allSeries(minutes: number): Record<string, DataPoint[]> {
    const out: Record<string, DataPoint[]> = {};
    for (const name of SERIES) out[name] = this.points(name, minutes);
    for (const name of this.series.keys()) out[name] ??= this.points(name, minutes);
    return out;
  }

  /** Prometheus text exposition of the registry. */
  async prometheus(): Promise<string> {
    return this.registry.metrics();
  }
}
