/**
 * The `kato` program: global options, help and every subcommand, without running anything.
 */
import { Command } from 'commander';
import { packageVersion } from './version.js';
import { registerCommands } from './commands/index.js';

/** Exit codes of every subcommand. */
export const EXIT = { ok: 0, error: 1, interrupted: 130 } as const;

/** Builds the `kato` program with every subcommand registered. */
export function buildProgram(): Command {
  const program = new Command('kato')
    .description('KATO: deterministic, explainable pattern learning — train a hierarchy on text, serve it, generate from it.')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ showGlobalOptions: true });
  registerCommands(program);
  return program;
}
