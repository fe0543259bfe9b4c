/**
 * Starting, resuming and resetting a run: a run that exists is never trained on again unless
 * asked (`resume`, with the same config, or `reset`, which truly clears its nodes and ledger).
 */
import { ConflictError, ValidationError } from '../errors.js';
import type { RunRecord } from '../store/types.js';
import { configDifferences, configHash, type TrainingConfig } from './config.js';
import type { KnowledgeBase } from './knowledge-base.js';

/** How a training command treats an existing run. */
export interface RunMode {
  readonly resume: boolean;
  readonly reset: boolean;
}

/** The run about to be trained, and whether this command created it. */
export interface OpenedRun {
  readonly record: RunRecord;
  readonly created: boolean;
  /** True when an existing run was cleared first. */
  readonly wasReset: boolean;
}

function formatValue(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

/** A refused resume's message: one line per differing field. */
export function mismatchMessage(run: string, stored: Record<string, unknown>, requested: Record<string, unknown>): string {
  const lines = configDifferences(stored, requested).map(
    (d) => `  ${d.field}: run has ${formatValue(d.stored)}, this command has ${formatValue(d.requested)}`,
  );
  return (
    `cannot resume run '${run}': its config differs from this command's\n${lines.join('\n')}\n` +
    `resume with the run's settings (leave those flags out), or start over with --reset`
  );
}

/** Opens `run` for training with `config`: creates, resumes or resets it as `mode` allows. */
export async function openRun(kb: KnowledgeBase, run: string, config: TrainingConfig, mode: RunMode): Promise<OpenedRun> {
  if (mode.resume && mode.reset) {
    throw new ValidationError('--resume and --reset contradict each other: --resume continues the run, --reset starts it over', {
      field: 'resume',
    });
  }
  const hash = configHash(config);
  let existing = await kb.getRun(run);
  let wasReset = false;
  if (mode.reset && (existing || (await kb.runNodes(run)).length > 0)) {
    await kb.resetRun(run);
    existing = null;
    wasReset = true;
  }
  if (existing) {
    if (!mode.resume) {
      throw new ConflictError(
        `run '${run}' already exists (${existing.docs.toLocaleString('en-US')} documents, ` +
          `${existing.tokens.toLocaleString('en-US')} tokens, last updated ${existing.updatedAt}): ` +
          `use --resume to continue it, or --reset to clear it and start again`,
        { run },
      );
    }
    if (existing.configHash !== hash) {
      throw new ConflictError(mismatchMessage(run, existing.config, config as unknown as Record<string, unknown>), {
        run,
        stored: existing.configHash,
        requested: hash,
      });
    }
    return { record: existing, created: false, wasReset };
  }
  // Patterns under the run's node ids without a ledger would be counted into a new run silently.
  const orphans = await kb.runNodes(run);
  if (orphans.length > 0) {
    throw new ConflictError(
      `the knowledge base holds patterns under run '${run}' (${orphans.join(', ')}) but no ledger for it ` +
        `(an interrupted reset?): use --reset to clear them`,
      { run, nodes: orphans },
    );
  }
  const record = await kb.createRun(run, hash, config as unknown as Record<string, unknown>);
  return { record, created: true, wasReset };
}
