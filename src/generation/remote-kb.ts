/**
 * The remote GenerationKb: predictions from a kato server through one KATO session per level
 * (its config set per query, its STM observed afresh), patterns through the node pattern route.
 */
import { KatoClient } from '../client/kato.js';
import type { KatoSession } from '../client/session.js';
import { TrainingClient } from '../client/training.js';
import { HttpTransport, type ClientCounters, type TransportOptions } from '../client/transport.js';
import type { SessionConfigInput } from '../client/types.js';
import type { Event } from '../engine/types.js';
import { KatoError } from '../errors.js';
import type { RunRecord } from '../store/types.js';
import { runNodeId } from '../training/nodes.js';
import { candidateOf } from './candidates.js';
import { runShape } from './shape.js';
import type { GenerationKb, HierarchyShape, PredictQuery } from './types.js';

/** A GenerationKb served by a kato server, with the client's counters and its training routes (run configs). */
export interface RemoteGenerationKb extends GenerationKb {
  readonly counters: ClientCounters;
  readonly training: TrainingClient;
}

/** A remote run generation cannot read through the server's KATO routes. */
export class RemoteRunError extends KatoError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('REMOTE_RUN_UNREADABLE', message, details);
  }
}

/** A run's ledger record in a local data directory (the one `--protocol kato` training kept). */
export interface LocalLedger {
  readonly dataDir: string;
  readonly record: RunRecord | null;
  readonly knownRuns: readonly string[];
}

/**
 * The shape of a run served remotely. KATO's session and pattern routes reach a node through
 * KATO's kb_id mapping of its node id, where both native and `--protocol kato` training put a
 * run's nodes. The shape comes from the server's ledger for a native run, else from the local
 * ledger `--protocol kato` training kept in its data directory (`ledger`).
 */
export async function remoteRunShape(kb: RemoteGenerationKb, run: string, ledger: LocalLedger | null): Promise<HierarchyShape> {
  // A run trained through the native routes is stored under KATO's kb_id of its node ids, so the
  // KATO routes reach it; its shape comes from the server's ledger.
  const served = await kb.training.getRun(run);
  if (served) return runShape(run, served, []);
  if (!ledger) {
    throw new RemoteRunError(
      `the server has no native run '${run}', and no local ledger was found: give the --data-dir the run was trained with ` +
        `(kato train --server … --protocol kato keeps its ledger there)`,
      { run },
    );
  }
  return runShape(run, ledger.record, ledger.knownRuns);
}

/** Session settings of a query: no auto-learning and no predictions on observe, only on request. */
export function remoteQueryConfig(query: PredictQuery): SessionConfigInput {
  return {
    max_pattern_length: 0,
    process_predictions: false,
    recall_threshold: query.recallThreshold,
    max_predictions: query.maxPredictions,
    rank_sort_algo: query.rankBy,
    filter_pipeline: [],
  };
}

interface LevelSession {
  session: KatoSession;
  /** The query whose settings the session has. */
  configured: string;
  /** Calls on one session run one after another: clear, observe and predict belong together. */
  queue: Promise<unknown>;
}

/** Generation over `run`'s nodes on the server at `options.baseUrl` (nothing is sent until the first call). */
export function remoteGenerationKb(options: TransportOptions & { run: string }): RemoteGenerationKb {
  const transport = new HttpTransport({ connections: 8, ...options });
  const client = new KatoClient(transport);
  const sessions = new Map<number, Promise<LevelSession>>();

  const levelSession = (level: number, query: PredictQuery): Promise<LevelSession> => {
    let found = sessions.get(level);
    if (!found) {
      const config = remoteQueryConfig(query);
      found = client
        .createSession({ nodeId: runNodeId(options.run, level), config })
        .then((session) => ({ session, configured: JSON.stringify(config), queue: Promise.resolve() }));
      // A failed creation is not kept, so the next query tries again.
      found.catch(() => sessions.delete(level));
      sessions.set(level, found);
    }
    return found;
  };

  return {
    counters: transport.counters,
    training: new TrainingClient(transport),
    async predict(level, stm, query) {
      const state = await levelSession(level, query);
      const work = state.queue.then(async () => {
        const config = remoteQueryConfig(query);
        if (JSON.stringify(config) !== state.configured) {
          await state.session.updateConfig(config);
          state.configured = JSON.stringify(config);
        }
        await state.session.clearStm();
        await state.session.observeSequence({ observations: stm.map((event: Event) => ({ strings: [...event] })) });
        const reply = await state.session.predictions();
        return reply.predictions.map((p, rank) => candidateOf(level, rank, p, query.rankBy));
      });
      state.queue = work.catch(() => undefined);
      return work;
    },
    async getPatterns(level, names) {
      const views = await client.patterns(runNodeId(options.run, level), names);
      const out = new Map<string, Event[]>();
      for (const [name, view] of views) out.set(name, view.pattern_data);
      return out;
    },
    async close() {
      const open = await Promise.allSettled([...sessions.values()]);
      // Sessions expire on their own; deleting them is a courtesy that must not fail the command.
      await Promise.allSettled(open.flatMap((s) => (s.status === 'fulfilled' ? [s.value.session.close()] : [])));
      await transport.close();
    },
  };
}
