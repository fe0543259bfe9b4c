/**
 * `kato datasets`: the registry of named datasets `kato train --dataset` accepts, with their
 * size, normaliser and location (local paths, globs and hf:// URLs work too).
 */
import type { Command } from 'commander';
import { listDatasets } from '../../datasets/index.js';
import { count } from '../../training/format.js';

/** Registers `kato datasets`. */
export function registerDatasets(program: Command): void {
  program
    .command('datasets')
    .description('list the named datasets (any JSONL/text/Parquet path, glob or hf://datasets/ URL works too)')
    .option('--json', 'print the registry as one JSON array')
    .action((flags: { json?: boolean }) => {
      const entries = listDatasets();
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(entries)}\n`);
        return;
      }
      const width = Math.max(...entries.map((e) => e.name.length));
      const lines = entries.map((e) => {
        const rows = e.rows === undefined ? '' : `${count(e.rows)} rows, `;
        const head = `${e.name.padEnd(width)}  ${e.description}`;
        const detail = `${' '.repeat(width)}  ${rows}normaliser ${e.normalizer}, ${e.location}`;
        const notes = e.unsupported ? `unsupported: ${e.unsupported}` : e.notes;
        return notes ? `${head}\n${detail}\n${' '.repeat(width)}  ${notes}` : `${head}\n${detail}`;
      });
      process.stdout.write(`${lines.join('\n')}\n\nAlso accepted: a JSONL, text or Parquet file (plain or .gz), a directory or glob of them, or an hf://datasets/<owner>/<name>[/<config>/<split>] URL.\n`);
    });
}
