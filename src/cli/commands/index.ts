/**
 * The subcommands of `kato`, in the order `kato --help` lists them.
 */
import type { Command } from 'commander';
import { registerDatasets } from './datasets.js';
import { registerGenerate } from './generate.js';
import { registerInspect } from './inspect.js';
import { registerServe } from './serve.js';
import { registerStatus } from './status.js';
import { registerTrain } from './train.js';

/** Registers every subcommand on the program. */
export function registerCommands(program: Command): void {
  registerTrain(program);
  registerServe(program);
  registerGenerate(program);
  registerInspect(program);
  registerStatus(program);
  registerDatasets(program);
}
