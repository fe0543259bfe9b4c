/**
 * A run's hierarchy shape as generation needs it, read from the config its ledger records
 * (levels, chunk sizes, normaliser), so prompts are cut and normalised as training text was.
 */
import { KatoError, NotFoundError } from '../errors.js';
import type { RunRecord } from '../store/types.js';
import type { HierarchyShape } from './types.js';

/** A run whose recorded config lacks what generation needs. */
export class RunConfigError extends KatoError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('RUN_CONFIG', message, details);
  }
}

const isChunk = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 2;

/** The shape of `run` from its ledger record, or a NotFoundError naming the known runs. */
export function runShape(run: string, record: RunRecord | null, knownRuns: readonly string[]): HierarchyShape {
  if (!record) {
    const known = knownRuns.length > 0 ? `known runs: ${knownRuns.join(', ')}` : 'the knowledge base has no runs: train one with kato train';
    throw new NotFoundError(`no run '${run}' in this knowledge base (${known})`, { run });
  }
  const config = record.config;
  const levels = config.levels;
  const chunks = config.chunks;
  const normalizer = (config.normalizer as { name?: unknown } | undefined)?.name;
  if (typeof levels !== 'number' || !Number.isSafeInteger(levels) || levels < 1) {
    throw new RunConfigError(`run '${run}' records no level count in its config`, { run, field: 'levels' });
  }
  if (!Array.isArray(chunks) || chunks.length !== levels || !chunks.every(isChunk)) {
    throw new RunConfigError(`run '${run}' records no chunk size (2 or more) for each of its ${levels} levels`, { run, field: 'chunks' });
  }
  if (typeof normalizer !== 'string') {
    throw new RunConfigError(`run '${run}' records no normaliser name in its config`, { run, field: 'normalizer' });
  }
  return { levels, chunks: [...chunks], normalizer };
}
