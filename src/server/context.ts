/**
 * What every route shares: options, the store, sessions, monitoring, the event hub and the
 * registry of nodes this process has served (KATO's "processors").
 */
import type { NodeKb } from '../engine/processor/kb.js';
import type { ProcessorContext } from '../engine/processor/processor.js';
import type { Store } from '../store/types.js';
import type { EventHub } from './events.js';
import { kbIdFor } from './kb-id.js';
import { LruMap } from './lru.js';
import type { MetricsCollector } from './metrics.js';
import { storeNodeKb, vectorCache, type VectorCache } from './node-kb.js';
import type { ServerOptions } from './options.js';
import type { SessionService } from './sessions.js';

/** A node this process has served, as /status lists it. */
export interface NodeActivity {
  kbId: string;
  nodeId: string;
  createdAt: number;
  lastAccessed: number;
  accessCount: number;
}

/** KATO caps its processor cache at 100 nodes; /status reports the same bound. */
export const MAX_NODES = 100;

/** Nodes served recently, and their NodeKb adapters. */
export class NodeRegistry {
  private readonly activity = new LruMap<string, NodeActivity>(MAX_NODES);
  private readonly vectors: VectorCache = vectorCache(MAX_NODES);

  constructor(
    private readonly store: Store,
    private readonly serviceName: string,
  ) {}

  /** The kb_id of a node_id under this server's service name. */
  kbId(nodeId: string): string {
    return kbIdFor(nodeId, this.serviceName);
  }

  /** The NodeKb of a kb_id, recording the access. */
  kb(kbId: string, nodeId: string): NodeKb {
    const now = Date.now();
    const seen = this.activity.get(kbId);
    if (seen) {
      seen.lastAccessed = now;
      seen.accessCount++;
    } else {
      this.activity.set(kbId, { kbId, nodeId, createdAt: now, lastAccessed: now, accessCount: 1 });
    }
    return storeNodeKb(this.store, kbId, this.vectors);
  }

  /** Recently served nodes, most recent last. */
  list(): NodeActivity[] {
    return [...this.activity.values()];
  }
}

/** Shared state of one server. */
export interface ServerContext {
  options: ServerOptions;
  store: Store;
  sessions: SessionService;
  metrics: MetricsCollector;
  events: EventHub;
  nodes: NodeRegistry;
  startedAt: number;
  /**
   * The processor context of a session's node. With the request's idempotency key, the n-th learn
   * the request makes is applied under `<key>#<n>`, so a resend never learns a pattern twice.
   */
  processor(kbId: string, nodeId: string, writeKey?: string): ProcessorContext;
}
