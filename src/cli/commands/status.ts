/**
 * `kato status`: the runs of a data directory — documents, tokens, levels, last update, whether a
 * trainer holds the run now or its last session was stopped (by SIGINT/SIGTERM, or killed) and
 * how to resume it, and the last session's outcome from the run's manifest.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { NotFoundError } from '../../errors.js';
import { databasePath, openStore } from '../../store/index.js';
import { compact, count } from '../../training/format.js';
import { localKnowledgeBase } from '../../training/knowledge-base.js';
import { lockHolder, processAlive } from '../../training/lock.js';
import { readManifest, readSessionFlags, resumeCommand, runActivity, runDirectory } from '../../training/manifest.js';

/** Registers `kato status`. */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('the training runs of a data directory and their state')
    .option('--data-dir <dir>', 'data directory', './kato-data')
    .option('--json', 'print one JSON object on stdout')
    .action(async (flags: { dataDir: string; json?: boolean }) => {
      if (!existsSync(databasePath(flags.dataDir))) {
        throw new NotFoundError(`no kato data in ${flags.dataDir} (expected ${databasePath(flags.dataDir)})`, { dataDir: flags.dataDir });
      }
      const kb = localKnowledgeBase(openStore(flags.dataDir));
      try {
        const runs = (await kb.listRuns()).map((record) => {
          const manifest = readManifest(flags.dataDir, record.run);
          const last = manifest?.sessions[manifest.sessions.length - 1];
          const activity = runActivity(manifest, lockHolder(join(runDirectory(flags.dataDir, record.run), 'train.lock')), processAlive);
          return {
            run: record.run,
            docs: record.docs,
            tokens: record.tokens,
            levels: record.config.levels,
            chunks: record.config.chunks,
            dataset: (record.config.dataset as { spec?: string } | undefined)?.spec,
            createdAt: record.createdAt,
            updatedAt: record.updatedAt,
            // The stream position of the run's next document: the documents read through so far.
            position: record.watermark ? record.watermark.seq + 1 : 0,
            trainer: activity.state === 'training' ? activity.pid : null,
            state: activity.state,
            resume:
              activity.state === 'interrupted' && manifest
                ? resumeCommand(flags.dataDir, manifest, readSessionFlags(flags.dataDir, record.run))
                : null,
            lastSession: last ? { status: last.status, endedAt: last.endedAt, tokensPerSecond: last.tokensPerSecond } : null,
          };
        });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ dataDir: flags.dataDir, runs })}\n`);
          return;
        }
        if (runs.length === 0) {
          process.stdout.write(`no runs in ${flags.dataDir}\n`);
          return;
        }
        for (const r of runs) {
          const state =
            r.trainer !== null
              ? `training now (pid ${r.trainer})`
              : r.resume !== null
                ? `interrupted, not complete (resumable: ${r.resume})`
                : r.lastSession
                  ? `last session ${r.lastSession.status}`
                  : 'idle';
          process.stdout.write(
            `${r.run}: ${count(r.docs)} documents, ${compact(r.tokens)} tokens, chunks ${Array.isArray(r.chunks) ? r.chunks.join(',') : '?'}, dataset ${r.dataset}; ` +
              `${state}; updated ${r.updatedAt}\n`,
          );
        }
      } finally {
        await kb.close();
      }
    });
}
