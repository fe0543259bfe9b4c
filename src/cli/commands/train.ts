/**
 * `kato train`: parses the flags, opens the data directory's store and runs one training session;
 * Ctrl+C/SIGTERM stop it cleanly (exit 130, resumable), the summary goes to stdout.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DatasetRecordError, resolveDataset } from '../../datasets/index.js';
import { ConflictError, KatoError, NotFoundError, ValidationError } from '../../errors.js';
import { normalizer as normalizerDescriptor } from '../../text/index.js';
import { integerFlag, MAX_PROVENANCE, parseHierarchy } from '../../training/config.js';
import { count, duration, percent } from '../../training/format.js';
import type { KnowledgeBase } from '../../training/knowledge-base.js';
import { acquireRunLock } from '../../training/lock.js';
import { readManifest, resumeCommandLine, runDirectory, writeSessionFlags, type SessionFlags } from '../../training/manifest.js';
import { checkRunName } from '../../training/nodes.js';
import { defaultWorkers } from '../../training/preparer.js';
import { progressView } from '../../training/progress.js';
import { checkKbFlags, commandKnowledgeBase, SERVER_KEY_HELP, SERVER_WAIT_HELP } from '../../training/remote.js';
import { DEFAULT_DATASET, runTraining, type TrainingReport } from '../../training/session.js';
import { DEFAULT_BATCH_TOKENS, DocumentPrepareError, MAX_BATCH_TOKENS } from '../../training/trainer.js';
import { errorText, EXIT } from '../program.js';
import { packageVersion } from '../version.js';

export interface TrainFlags {
  dataset?: string;
  maxDocs?: string;
  levels?: string;
  chunks?: string;
  remainder?: string;
  provenance?: string;
  workers?: string;
  batchTokens?: string;
  dataDir: string;
  run: string;
  resume?: boolean;
  reset?: boolean;
  skipBad?: boolean;
  textField?: string;
  normalizer?: string;
  json?: boolean;
  progress?: string;
  server?: string;
  protocol?: string;
}

/** The `--json` object: one line, the contract scripts and tests read. */
export function reportJson(report: TrainingReport): Record<string, unknown> {
  return {
    run: report.run,
    status: report.status,
    docs: report.docs,
    tokens: report.tokens,
    seconds: report.seconds,
    tokensPerSecond: report.tokensPerSecond,
    levels: report.levels.map((l) => ({ level: l.level, nodeId: l.nodeId, learned: l.learned, distinct: l.distinct, dedup: l.dedup })),
    digest: report.digest,
    session: {
      docs: report.session.docs,
      tokens: report.session.tokens,
      duplicates: report.session.duplicates,
      skipped: report.session.skippedCount,
      position: report.session.position,
      workers: report.workers,
      prepareSeconds: report.session.prepareMs / 1000,
      commitSeconds: report.session.commitMs / 1000,
      read: report.session.read,
    },
    configHash: report.configHash,
    config: report.config,
    manifest: report.manifest,
  };
}

/** The human summary printed at the end of a session. */
export function reportText(report: TrainingReport): string {
  const s = report.session;
  const lines = [
    `run '${report.run}': ${report.status === 'complete' ? 'complete (end of dataset)' : report.status === 'max-docs' ? 'stopped at --max-docs' : 'interrupted'}`,
    `  documents   ${count(s.docs)} this session${s.duplicates ? ` (+${count(s.duplicates)} already applied)` : ''}${s.skippedCount ? `, ${count(s.skippedCount)} skipped as unpreparable` : ''}; ${count(report.docs)} in the run`,
    `  tokens      ${count(s.tokens)} this session; ${count(report.tokens)} in the run`,
    ...(s.read && s.read.filtered + s.read.bad + s.read.truncated > 0
      ? [
          `  records     ${count(s.read.read)} read: ${count(s.read.filtered)} filtered (empty or too short), ${count(s.read.bad)} corrupt skipped, ` +
            `${count(s.read.truncated)} truncated last line${s.read.truncated === 1 ? '' : 's'} left out`,
        ]
      : []),
    `  elapsed     ${duration(report.seconds)}, ${count(report.tokensPerSecond)} tokens/s (preparing ${duration(s.prepareMs / 1000)} over ${report.workers === 0 ? 'the main thread' : `${report.workers} worker${report.workers === 1 ? '' : 's'}`}, committing ${duration(s.commitMs / 1000)})`,
    `  level  ${'learned'.padStart(12)}  ${'distinct'.padStart(12)}  ${'dedup'.padStart(6)}`,
    ...report.levels.map(
      (l) => `  ${String(l.level).padEnd(5)}  ${count(l.learned).padStart(12)}  ${count(l.distinct).padStart(12)}  ${percent(l.dedup).padStart(6)}`,
    ),
  ];
  if (report.digest) lines.push(`  digest      ${report.digest}`);
  lines.push(`  manifest    ${report.manifest}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The command that resumes the run these flags train (the one `kato status` shows too): the run's
 * config comes from the run, so only what it does not record and a resume needs is repeated —
 * where the run lives and the session flags (see SessionFlags).
 */
export function resumeCommand(flags: TrainFlags, session: SessionFlags): string {
  return resumeCommandLine({ run: flags.run, dataDir: flags.dataDir, server: flags.server, protocol: flags.protocol }, session);
}

/** What `--skip-bad` would have skipped past, for an error that stopped a session: null when it would not help. */
function skippedBySkipBad(error: unknown): string | null {
  if (error instanceof DatasetRecordError) return 'corrupt records';
  if (error instanceof DocumentPrepareError) return 'documents that cannot be prepared';
  return null;
}

/**
 * What `kato train` prints after the error that stopped a session: the command that continues a
 * run that exists — and, when `--skip-bad` would get past the error, that command with
 * `--skip-bad` (the same command with `--skip-bad` alone would be refused: the run exists) —
 * else that the same command, or it with `--skip-bad`, starts afresh.
 */
export function stoppedHint(flags: TrainFlags, session: SessionFlags, runExists: boolean, error: unknown): string {
  const skip = session.skipBad ? null : skippedBySkipBad(error);
  if (runExists) {
    const kept = 'kato train: stopped by an error; every committed document is kept.';
    const resume = resumeCommand(flags, session);
    if (skip === null) return `${kept} Once the cause is fixed, resume with:\n  ${resume}\n`;
    const skipping = resumeCommand(flags, { ...session, skipBad: true });
    return `${kept} To skip ${skip}, resume with:\n  ${skipping}\nor, once the cause is fixed, resume with:\n  ${resume}\n`;
  }
  const none = 'kato train: stopped by an error before anything was committed;';
  return skip === null
    ? `${none} once the cause is fixed, run the same command again.\n`
    : `${none} run the same command with --skip-bad to skip ${skip}, or run it again once the cause is fixed.\n`;
}

/**
 * Whether the run exists, so that a resume can continue it: the ledger of a local run, else a
 * manifest in the data directory (written once a session opened the run; a server is not asked
 * again, as it may be why the command failed).
 */
async function runExists(kb: KnowledgeBase, flags: TrainFlags): Promise<boolean> {
  if (flags.server === undefined) {
    const record = await kb.getRun(flags.run).catch(() => undefined);
    if (record !== undefined) return record !== null;
  }
  return readManifest(flags.dataDir, flags.run) !== null;
}

/**
 * When a session ended without a single document in the run — the dataset held no records, or
 * each record read was corrupt, empty or unpreparable — the error saying so and what to do, else
 * null. Such a run holds nothing worth resuming, and is removed.
 */
export function emptyRunProblem(report: TrainingReport): string | null {
  const s = report.session;
  const read = s.read?.read ?? 0;
  if (report.status === 'interrupted' || report.docs > 0) return null;
  if (read === 0 && s.skippedCount === 0) {
    const after = s.position > 0 ? ` after position ${count(s.position)}` : '';
    return (
      `run '${report.run}' learned no documents: the dataset ${report.config.dataset.spec} holds no records${after}, ` +
      'so it is removed again; check --dataset'
    );
  }
  const bad = s.read?.bad ?? 0;
  const parts = [
    bad > 0 ? `${count(bad)} corrupt` : '',
    s.read && s.read.filtered > 0 ? `${count(s.read.filtered)} empty` : '',
    s.read && s.read.truncated > 0 ? `${count(s.read.truncated)} truncated` : '',
    s.skippedCount > 0 ? `${count(s.skippedCount)} unpreparable` : '',
  ].filter((part) => part !== '');
  const what = read === 1 ? 'the one record read was skipped' : `all ${count(read)} records read were skipped`;
  const next =
    bad > 0
      ? 'run the command without --skip-bad to see why the first corrupt record was refused ' +
        '(if the records keep their text in another field, name it with --text-field NAME)'
      : 'check the dataset and --text-field';
  return `run '${report.run}' learned no documents: ${what} (${parts.join(', ')}), so it is removed again; ${next}`;
}

/** Removes a run that holds no documents (nothing is lost), so that the corrected command starts afresh. */
async function removeEmptyRun(kb: KnowledgeBase, dataDir: string, run: string): Promise<void> {
  const lock = acquireRunLock(join(runDirectory(dataDir, run), 'train.lock'), run);
  try {
    if ((await kb.getRun(run))?.docs !== 0) return;
    await kb.resetRun(run);
    rmSync(runDirectory(dataDir, run), { recursive: true, force: true });
  } finally {
    lock.release();
  }
}

function optionalInteger(flag: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  return value === undefined ? undefined : integerFlag(flag, value, min, max);
}

async function trainAction(flags: TrainFlags, command: Command): Promise<void> {
  // Every flag is checked before the data directory or its store is created: a refused command creates nothing.
  checkRunName(flags.run);
  if (flags.resume && flags.reset) {
    throw new ValidationError('--resume and --reset contradict each other: --resume continues the run, --reset starts it over', {
      field: 'resume',
    });
  }
  checkKbFlags(flags);
  if (flags.normalizer !== undefined) normalizerDescriptor(flags.normalizer);
  const given = (name: string): boolean => command.getOptionValueSource(name) === 'cli';
  const hierarchyGiven = given('levels') || given('chunks') || given('remainder');
  const hierarchy = hierarchyGiven ? parseHierarchy(flags.chunks, flags.levels, flags.remainder ?? 'merge') : undefined;
  const maxDocs = optionalInteger('--max-docs', flags.maxDocs, 1);
  const workers = optionalInteger('--workers', flags.workers, 0, 64) ?? defaultWorkers();
  // Without --batch-tokens, batches grow with the tokens committed (see defaultBatchTokens).
  const batchTokens = optionalInteger('--batch-tokens', flags.batchTokens, 1);
  const provenance = optionalInteger('--provenance', flags.provenance, 0, MAX_PROVENANCE);
  const mode = flags.progress ?? (process.stderr.isTTY ? 'bar' : 'lines');
  if (mode !== 'bar' && mode !== 'lines' && mode !== 'none') {
    throw new ValidationError(`--progress must be bar, lines or none; got '${mode}'`, {
      field: 'progress',
    });
  }

  // Fail on a bad --dataset (or --text-field for it) before the data directory is created; a resume
  // without --dataset reads the run's own, known only from its store.
  if (flags.dataset !== undefined || !flags.resume) {
    resolveDataset(flags.dataset ?? DEFAULT_DATASET, { textField: flags.textField, normalizer: flags.normalizer });
  }

  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      process.stderr.write(`\nkato train: ${signal} received, stopping (committed work is kept; ${signal} again to quit at once)\n`);
      controller.abort(new Error(signal));
    } else {
      // Each commit is one transaction, so quitting now loses only uncommitted work.
      process.exit(EXIT.interrupted);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const { kb, counters } = commandKnowledgeBase(flags, 'kato train', { signal: controller.signal, waitForServer: true });
  const session: SessionFlags = { maxDocs, skipBad: flags.skipBad ?? false };
  try {
    const report = await runTraining({
      kb,
      dataDir: flags.dataDir,
      run: flags.run,
      resume: flags.resume ?? false,
      reset: flags.reset ?? false,
      dataset: flags.dataset,
      textField: flags.textField,
      normalizer: flags.normalizer,
      hierarchy,
      provenance,
      maxDocs,
      workers,
      batchTokens,
      skipBad: flags.skipBad ?? false,
      signal: controller.signal,
      progress: (totalDocs) => {
        // The view is built once the run is open: from now on it can be resumed, and `kato status`
        // tells how from the flags recorded beside its manifest.
        try {
          writeSessionFlags(flags.dataDir, flags.run, session);
        } catch {
          // Without them, the resume command that `kato status` prints lacks these flags.
        }
        return progressView({ mode, stream: process.stderr, run: flags.run, totalDocs });
      },
      notice: (message) => process.stderr.write(`kato train: ${message}\n`),
      katoVersion: packageVersion(),
    });
    const empty = emptyRunProblem(report);
    if (empty !== null) {
      await removeEmptyRun(kb, flags.dataDir, report.run);
      throw new KatoError('EMPTY_RUN', empty, { run: report.run });
    }
    if (flags.json) process.stdout.write(`${JSON.stringify(counters ? { ...reportJson(report), client: counters } : reportJson(report))}\n`);
    else process.stdout.write(reportText(report));
    if (counters && !flags.json) {
      process.stdout.write(`  server      ${flags.server}: ${count(counters.requests)} requests, ${count(counters.retries)} retries, ${count(counters.recoveries)} session recoveries, ${count(counters.dedupHits + counters.duplicateDocuments)} resends found already applied\n`);
    }
    if (report.status === 'interrupted') {
      process.stderr.write(`kato train: interrupted; every committed document is kept. Resume with:\n  ${resumeCommand(flags, session)}\n`);
      process.exitCode = EXIT.interrupted;
    }
  } catch (error) {
    if (controller.signal.aborted) {
      // Interrupted before training could start (e.g. while waiting for an unreachable server).
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(
        (await runExists(kb, flags))
          ? `kato train: interrupted: ${message}\nevery committed document is kept. Resume with:\n  ${resumeCommand(flags, session)}\n`
          : `kato train: interrupted before anything was committed: ${message}\nrun the same command again to start.\n`,
      );
      process.exitCode = EXIT.interrupted;
      return;
    }
    // Refusals (bad flags, run state, config, no run to resume, a run that learned nothing) say
    // all there is to say and change nothing; anything else stopped a session, which a resume
    // continues once the run exists: the error first, then what to run next.
    const refusal =
      error instanceof ValidationError ||
      error instanceof ConflictError ||
      error instanceof NotFoundError ||
      (error instanceof KatoError && error.code === 'EMPTY_RUN');
    if (refusal) throw error;
    const hint = stoppedHint(flags, session, await runExists(kb, flags), error);
    process.stderr.write(errorText(error));
    process.stderr.write(hint);
    process.exitCode = EXIT.error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await kb.close();
  }
}

/** What `kato train` adds to commander's "too many arguments" error when the shell seems to have expanded a --dataset glob. */
const DATASET_GLOB_HINT = "--dataset takes one value; quote a glob so the shell does not expand it: --dataset './dir/*.jsonl'";

/**
 * Whether the arguments `extra` that `kato train` does not take look like the shell's expansion
 * of an unquoted `--dataset` glob: they follow --dataset's value on the command line `argv`, or
 * look like paths.
 */
export function looksLikeExpandedGlob(argv: readonly string[], extra: readonly string[]): boolean {
  if (extra.length === 0) return false;
  if (extra.some((arg) => /[\\/]/.test(arg) || /\.(jsonl|json|txt|gz|parquet)$/i.test(arg))) return true;
  const at = argv.findIndex((arg) => arg === '--dataset' || arg.startsWith('--dataset='));
  if (at < 0) return false;
  return argv[argv[at] === '--dataset' ? at + 2 : at + 1] === extra[0];
}

/** Registers `kato train`. */
export function registerTrain(program: Command): void {
  const train = program.command('train');
  train
    .configureOutput({
      outputError: (text, write) => {
        // The command line as parsed (commander keeps it on the program), else this process's.
        const argv = (program as unknown as { rawArgs?: string[] }).rawArgs ?? process.argv;
        const tooMany = text.startsWith('error: too many arguments') && looksLikeExpandedGlob(argv, train.args);
        write(tooMany ? `${text}${DATASET_GLOB_HINT}\n` : text);
      },
    })
    .description('learn the pattern hierarchy of a dataset, exactly once per document, resumable')
    .option('--dataset <name|path|url>', `registry name, JSONL/text/Parquet file, directory, glob or hf://datasets/ URL (default: ${DEFAULT_DATASET})`)
    .option('--max-docs <n>', 'stop once the run has this many documents (counted over all sessions)')
    .option('--levels <n>', 'number of levels (default: 4, or the number of --chunks sizes when it gives several)')
    .option(
      '--chunks <sizes>',
      'chunk size per level: one size for every level (--levels of them, default 4), or comma-separated sizes, one per level ' +
        '(their count sets the levels; with --levels it must be equal) (default: 8,8,8,8)',
    )
    .option('--remainder <policy>', "a level's single leftover symbol: merge (join the last chunk) or drop", 'merge')
    .option('--provenance <n>', 'keep the source document ids of each pattern\'s first n learns as metadata (0 = off)')
    .option('--workers <n>', `preparation threads, 0 = main thread (default: ${defaultWorkers()} here)`)
    .option(
      '--batch-tokens <n>',
      `tokens per commit transaction (default: ${count(DEFAULT_BATCH_TOKENS)}, growing to a quarter of the tokens committed, at most ${count(MAX_BATCH_TOKENS)})`,
    )
    .option('--data-dir <dir>', 'data directory (kato.db, runs/)', './kato-data')
    .option('--run <name>', 'run name: its own nodes <run>/node<l> and ledger', 'default')
    .option('--resume', 'continue the run from its ledger (settings not given are the run\'s own)')
    .option('--reset', 'clear the run (patterns and ledger) and start it again')
    .option('--skip-bad', 'skip corrupt records and unpreparable documents instead of stopping')
    .option('--text-field <name>', 'JSONL field or Parquet column holding the text')
    .option('--normalizer <name>', 'text normaliser (default: the dataset\'s)')
    .option('--progress <mode>', 'bar, lines or none (default: bar on a terminal, else lines)')
    .option('--json', 'print one JSON object with the result on stdout (progress stays on stderr)')
    .option('--server <url>', 'train the knowledge base of a kato server (run manifest and lock stay in --data-dir)')
    .option('--protocol <name>', 'with --server: native (batch routes, exactly once; default) or kato (KATO v3 routes only, for any KATO server)')
    .addHelpText('after', `\n${SERVER_WAIT_HELP}\n\n${SERVER_KEY_HELP}`)
    .action(trainAction);
}
