/**
 * `kato inspect`: a run's ledger (documents, tokens, watermark, config) and per-level pattern
 * counts, total frequency and the run's digest, read from the data directory.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { NotFoundError } from '../../errors.js';
import { databasePath, openStore } from '../../store/index.js';
import { runDigest } from '../../training/digest.js';
import { count } from '../../training/format.js';
import { checkRunName } from '../../training/nodes.js';
import { localKnowledgeBase } from '../../training/knowledge-base.js';
import { readManifest } from '../../training/manifest.js';
import { commandKnowledgeBase, SERVER_KEY_HELP, SERVER_REFUSED_HELP } from '../../training/remote.js';
import { KATO_PROTOCOL_LOCATION, MIRROR_SERVICE_NAME } from '../../training/remote-kato.js';

interface InspectFlags {
  dataDir: string;
  run: string;
  json?: boolean;
  server?: string;
}

/** The settings of a run's config in one readable line. */
function configLine(config: Record<string, unknown>): string {
  const c = config as {
    dataset?: { spec?: string };
    tokenizer?: { name?: string; version?: string };
    normalizer?: { name?: string };
    chunks?: number[];
    remainder?: string;
    provenance?: number;
  };
  return (
    `dataset ${c.dataset?.spec}, tokenizer ${c.tokenizer?.name} ${c.tokenizer?.version}, normaliser ${c.normalizer?.name}, ` +
    `chunks ${c.chunks?.join(',')}, remainder ${c.remainder}, provenance ${c.provenance ? `first ${c.provenance} learns` : 'off'}`
  );
}

/** Registers `kato inspect`. */
export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description("a run's documents, per-level pattern counts and total frequencies, and its digest")
    .option('--data-dir <dir>', 'data directory', './kato-data')
    .option('--run <name>', 'run name', 'default')
    .option('--json', 'print one JSON object on stdout')
    .option('--server <url>', 'inspect the run on a kato server instead of a data directory')
    .addHelpText('after', `\n${SERVER_REFUSED_HELP}\n\n${SERVER_KEY_HELP}`)
    .action(async (flags: InspectFlags) => {
      const run = checkRunName(flags.run);
      if (!flags.server && !existsSync(databasePath(flags.dataDir))) {
        throw new NotFoundError(`no kato data in ${flags.dataDir} (expected ${databasePath(flags.dataDir)})`, { dataDir: flags.dataDir });
      }
      // A --protocol kato run's patterns here are its mirror, kept under the mirror's kb_ids.
      const mirrored = !flags.server && readManifest(flags.dataDir, run)?.knowledgeBase?.startsWith(KATO_PROTOCOL_LOCATION);
      const { kb } = mirrored
        ? { kb: localKnowledgeBase(openStore(flags.dataDir), MIRROR_SERVICE_NAME) }
        : commandKnowledgeBase(flags, 'kato inspect');
      try {
        const record = await kb.getRun(run);
        if (!record) {
          const runs = (await kb.listRuns()).map((r) => r.run);
          throw new NotFoundError(
            `no run '${run}' in ${flags.server ?? flags.dataDir}${runs.length ? ` (runs: ${runs.join(', ')})` : ' (it holds no runs)'}`,
            { run },
          );
        }
        const levels = typeof record.config.levels === 'number' ? record.config.levels : 0;
        const { digest, levels: counts } = await runDigest(kb, run, levels);
        const report = {
          run,
          docs: record.docs,
          tokens: record.tokens,
          createdAt: record.createdAt,
          updatedAt: record.updatedAt,
          watermark: record.watermark,
          // As `kato status` reports it: the stream position of the run's next document.
          position: record.watermark ? record.watermark.seq + 1 : 0,
          configHash: record.configHash,
          config: record.config,
          levels: counts.map((c) => ({
            level: c.level,
            nodeId: c.nodeId,
            patterns: c.distinct,
            totalFrequency: c.learned,
            distinct: c.distinct,
            learned: c.learned,
          })),
          digest,
        };
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(report)}\n`);
          return;
        }
        const lines = [
          `run '${run}': ${count(record.docs)} documents, ${count(record.tokens)} tokens`,
          `  created ${record.createdAt}, updated ${record.updatedAt}`,
          // The watermark's seq is the position of the last document applied; the run continues after it.
          `  watermark ${
            record.watermark
              ? `next position ${record.watermark.seq + 1} (last applied document at ${record.watermark.seq}), next cursor ${record.watermark.cursor}`
              : 'none (nothing committed)'
          }`,
          `  config ${record.configHash.slice(0, 16)}… ${configLine(record.config)}`,
          `  level  node${' '.repeat(Math.max(0, counts[0]?.nodeId.length ?? 4) - 4)}  ${'patterns'.padStart(12)}  ${'total freq'.padStart(12)}`,
          ...counts.map(
            (c) => `  ${String(c.level).padEnd(5)}  ${c.nodeId}  ${count(c.distinct).padStart(12)}  ${count(c.learned).padStart(12)}`,
          ),
          `  digest ${digest}`,
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        await kb.close();
      }
    });
}
