/**
 * The `kato` program: global options, help and every subcommand, without running anything.
 */
import { Command } from 'commander';
import { KatoError } from '../errors.js';
import { checkDataDir } from '../store/index.js';
import { packageVersion } from './version.js';
import { registerCommands } from './commands/index.js';

/** Exit codes of every subcommand. */
export const EXIT = { ok: 0, error: 1, interrupted: 130 } as const;

/**
 * How `kato` reports an error on stderr: `kato: <message>` for the errors it raises on purpose,
 * with the stack for anything else (a bug).
 */
export function errorText(err: unknown): string {
  if (err instanceof KatoError) return `kato: ${err.message}\n`;
  return `kato: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`;
}

/** Builds the `kato` program with every subcommand registered. */
export function buildProgram(): Command {
  const program = new Command('kato')
    .description('KATO: deterministic, explainable pattern learning — train a hierarchy on text, serve it, generate from it.')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    // Every command's --data-dir is checked before it is read or created.
    .hook('preAction', (_program, action) => {
      const dataDir: unknown = action.opts().dataDir;
      if (typeof dataDir === 'string') checkDataDir(dataDir);
    });
  registerCommands(program);
  return program;
}
