/**
 * Training a stock KATO v3 server with KATO routes only (`--protocol kato`): per level, sessions on
 * node `<run>/node<l>` learn each chunk with one observe-sequence (learn_at_end), as KATO's Python
 * trainer did; the run's ledger and a mirror of what the server confirmed live in a local store.
 */
import { KatoClient } from '../client/kato.js';
import type { KatoSession } from '../client/session.js';
import type { ClientCounters, TransportOptions } from '../client/transport.js';
import type { ObservationInput } from '../client/types.js';
import { KatoError } from '../errors.js';
import { prefixedName } from '../engine/names.js';
import type { LearnItem } from '../engine/types.js';
import type { CommitResult, DocumentCommit, Store } from '../store/types.js';
import { localKnowledgeBase, type KnowledgeBase } from './knowledge-base.js';
import { runNodeId } from './nodes.js';

/** Said at the start of every `--protocol kato` run. */
export const KATO_PROTOCOL_NOTICE =
  'protocol kato: a stock KATO server offers no idempotency keys and no ledger, so exactly-once cannot be guaranteed — ' +
  'a resent write or a crash inside a document may learn some of its chunks twice (the local ledger still skips whole documents)';

/** Options of the KATO-protocol KB. */
export interface KatoProtocolOptions extends TransportOptions {
  /** Local store holding the run's ledger and a mirror of every pattern the server confirmed learning. */
  mirror: Store;
  /** Sessions per node learning chunks concurrently (default 4). */
  sessionsPerNode?: number;
}

/** A KnowledgeBase that trains a KATO server through sessions, with the client's counters. */
export interface KatoProtocolKnowledgeBase extends KnowledgeBase {
  readonly counters: ClientCounters;
  readonly client: KatoClient;
}

/** The server learned a chunk under another name than KATO's hash of its events. */
export class PatternNameMismatchError extends KatoError {
  constructor(node: string, expected: string, got: string | null) {
    super('PATTERN_NAME_MISMATCH', `node ${node} learned a chunk as ${got ?? 'nothing'}; expected ${expected}`, { node, expected, got });
  }
}

/** Session config of a training session: learn only when told, no predictions while observing. */
const TRAINING_SESSION_CONFIG = { max_pattern_length: 0, stm_mode: 'CLEAR', process_predictions: false } as const;

/** One observation per symbol; metadata values spread over the first observations so KATO's accumulator rebuilds each list. */
export function chunkObservations(item: LearnItem): ObservationInput[] {
  const observations: ObservationInput[] = item.events.map((event) => ({ strings: [...event] }));
  for (const [key, values] of Object.entries(item.metadata ?? {})) {
    values.forEach((value, i) => {
      const target = observations[Math.min(i, observations.length - 1)];
      target.metadata = { ...target.metadata, [key]: value };
    });
  }
  return observations;
}

/**
 * Service name of the local mirror's kb_ids. Distinct from any server's, so a mirror kept in the
 * server's own data directory never adds its patterns to the KB the server learned.
 */
export const MIRROR_SERVICE_NAME = 'kato_mirror';

/** How manifests name the KB of a `--protocol kato` run: this prefix and the server's URL. */
export const KATO_PROTOCOL_LOCATION = 'kato-protocol ';

/** Opens the KATO-protocol KB on the server at `options.baseUrl`. */
export function katoProtocolKnowledgeBase(options: KatoProtocolOptions): KatoProtocolKnowledgeBase {
  const perNode = Math.max(1, options.sessionsPerNode ?? 4);
  const client = new KatoClient({ connections: perNode * 4, ...options });
  const local = localKnowledgeBase(options.mirror, MIRROR_SERVICE_NAME);
  const sessions = new Map<string, Promise<KatoSession[]>>();

  const nodeSessions = (node: string): Promise<KatoSession[]> => {
    let pool = sessions.get(node);
    if (!pool) {
      pool = Promise.all(Array.from({ length: perNode }, () => client.createSession({ nodeId: node, config: { ...TRAINING_SESSION_CONFIG } })));
      sessions.set(node, pool);
    }
    return pool;
  };

  const learnChunk = async (session: KatoSession, node: string, item: LearnItem): Promise<void> => {
    // A call that failed half-way may have left events behind; the shadow knows.
    if (session.stm.length > 0) await session.clearStm();
    const reply = await session.observeSequence({ observations: chunkObservations(item), learn_at_end: true });
    const expected = prefixedName(item.name!);
    if (reply.final_learned_pattern !== expected) throw new PatternNameMismatchError(node, expected, reply.final_learned_pattern);
    // KATO keeps metadata accumulating across learns until the STM is cleared.
    if (item.metadata && Object.keys(item.metadata).length > 0) await session.clearStm();
  };

  const learnNode = async (node: string, items: LearnItem[]): Promise<void> => {
    const pool = await nodeSessions(node);
    let next = 0;
    await Promise.all(
      pool.map(async (session) => {
        while (next < items.length) await learnChunk(session, node, items[next++]);
      }),
    );
  };

  const clearNodeOnServer = async (node: string): Promise<void> => {
    const [session] = await nodeSessions(node);
    await session.clearAll();
  };

  return {
    location: KATO_PROTOCOL_LOCATION + options.baseUrl,
    counters: client.counters,
    client,
    getRun: local.getRun,
    listRuns: local.listRuns,
    createRun: local.createRun,
    async resetRun(run) {
      const record = await local.getRun(run);
      const levels = typeof record?.config.levels === 'number' ? record.config.levels : 0;
      const nodes = new Set([...(await local.runNodes(run)), ...Array.from({ length: levels }, (_, l) => runNodeId(run, l))]);
      for (const node of nodes) await clearNodeOnServer(node);
      await local.resetRun(run);
    },
    runNodes: local.runNodes,
    async commitDocuments(run, docs, commitOptions): Promise<CommitResult[]> {
      const ledger = await local.ledgerState(run);
      const above = new Set(ledger.appliedAbove.map((entry) => entry.key));
      const fresh = (doc: DocumentCommit): boolean => !above.has(doc.key) && (ledger.watermark === null || doc.seq > ledger.watermark.seq);
      const perNode = new Map<string, LearnItem[]>();
      for (const doc of docs.filter(fresh)) {
        for (const { kbId, items } of doc.nodes) {
          let list = perNode.get(kbId);
          if (!list) perNode.set(kbId, (list = []));
          list.push(...items);
        }
      }
      await Promise.all([...perNode].map(([node, items]) => learnNode(node, items)));
      // Only what every server call confirmed reaches the mirror and the ledger.
      return local.commitDocuments(run, docs, commitOptions);
    },
    ledgerState: local.ledgerState,
    summary: local.summary,
    frequencies: local.frequencies,
    patternCounts: local.patternCounts,
    async close() {
      for (const pool of sessions.values()) {
        const open = await pool.catch(() => [] as KatoSession[]);
        await Promise.all(open.map((session) => session.close().catch(() => undefined)));
      }
      await client.close();
      await local.close();
    },
  };
}
