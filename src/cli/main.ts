#!/usr/bin/env node
/**
 * The `kato` executable: runs the program and turns errors into messages and exit codes
 * (0 done, 1 error, 130 interrupted).
 */
import { CommanderError } from 'commander';
import { buildProgram, errorText, EXIT } from './program.js';

async function main(): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  // `kato` alone asked for nothing that failed: it shows the help on stdout, as `kato --help` does.
  if (process.argv.length <= 2) {
    program.outputHelp();
    return;
  }
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(errorText(err));
    process.exitCode = EXIT.error;
  }
}

await main();
