/**
 * The subcommands of `kato`, in the order `kato --help` lists them.
 */
import type { Command } from 'commander';

/** Registers every subcommand on the program. */
export function registerCommands(program: Command): void {
  void program;
}
