/**
 * Run names and the node ids of a run: level l of run R lives in the KB `R/node<l>`, so runs
 * sharing a data directory (or a server) never see each other's patterns.
 */
import { defaultServiceName, kbIdFor } from '../engine/kb-id.js';
import { ValidationError } from '../errors.js';

const RUN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** The run name, or a ValidationError saying which characters a run name may use. */
export function checkRunName(run: string): string {
  if (!RUN_NAME.test(run)) {
    throw new ValidationError(
      `invalid run name '${run}': use 1–128 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      { field: 'run', value: run },
    );
  }
  return run;
}

/** The node id of `level` in `run`: `<run>/node<level>`, as a KATO client names it. */
export function runNodeId(run: string, level: number): string {
  return `${run}/node${level}`;
}

/** The store kb_id of `level` in `run`: KATO's kb_id of its node id (`<run>_node<level>_kato`). */
export function runKbId(run: string, level: number, serviceName: string = defaultServiceName()): string {
  return kbIdFor(runNodeId(run, level), serviceName);
}

/** The level of a node id of `run`, or undefined when the id is not one of the run's nodes. */
export function nodeLevel(run: string, nodeId: string): number | undefined {
  const prefix = `${run}/node`;
  if (!nodeId.startsWith(prefix)) return undefined;
  const rest = nodeId.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}
