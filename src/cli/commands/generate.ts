/**
 * `kato generate`: continues a prompt from a trained run, embedded (`--data-dir`) or remote
 * (`--server`), printing the continuation or, with `--json`, the text with its provenance.
 */
import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { NotFoundError, ValidationError } from '../../errors.js';
import { generate, generator } from '../../generation/generate.js';
import { localGenerationKb } from '../../generation/local-kb.js';
import { remoteGenerationKb, remoteRunShape, type LocalLedger } from '../../generation/remote-kb.js';
import { runShape } from '../../generation/shape.js';
import type { GenerateOptions, GenerationKb, GenerationResult, HierarchyShape, SamplingOptions } from '../../generation/types.js';
import { databasePath, openStore } from '../../store/index.js';
import { readManifest } from '../../training/manifest.js';
import { KATO_PROTOCOL_LOCATION, MIRROR_SERVICE_NAME } from '../../training/remote-kato.js';
import { integerFlag } from '../../training/config.js';
import { checkRunName } from '../../training/nodes.js';
import { lineLogger, parseServerUrl, SERVER_KEY_HELP, SERVER_REFUSED_HELP, serverWaitNotice } from '../../training/remote.js';

/** Exit codes of `kato generate` besides 0 (a continuation) and 1 (an error). */
export const GENERATE_EXIT = {
  /** No level of the run continues the prompt: nothing was generated. */
  noContinuation: 2,
  /** Generation stopped at a pattern the KB lacks (what came before it is printed). */
  missingPattern: 3,
} as const;

export const DEFAULT_MAX_TOKENS = 64;
export const DEFAULT_ENSEMBLE = 10;
const MAX_ENSEMBLE = 1000;
const MAX_TOKENS = 1_000_000;

interface GenerateFlags {
  dataDir: string;
  run: string;
  server?: string;
  maxTokens: string;
  ensemble: string;
  seed?: string;
  temperature?: string;
  topK?: string;
  json?: boolean;
}

/** The sampling settings of the flags, or undefined for the deterministic choice. */
export function samplingFlags(seed: string | undefined, temperature: string | undefined, topK: string | undefined): SamplingOptions | undefined {
  if (seed === undefined) {
    if (temperature !== undefined || topK !== undefined) {
      throw new ValidationError('--temperature and --top-k shape sampling, which --seed turns on: give --seed too', { field: 'seed' });
    }
    return undefined;
  }
  const t = temperature === undefined ? 1 : Number(temperature);
  if (temperature !== undefined && (temperature.trim() === '' || !Number.isFinite(t) || t <= 0)) {
    throw new ValidationError(`--temperature must be a number greater than 0; got '${temperature}'`, { field: 'temperature', value: temperature });
  }
  return {
    seed: integerFlag('--seed', seed, 0, 0xffffffff),
    temperature: t,
    topK: topK === undefined ? undefined : integerFlag('--top-k', topK, 1, Number.MAX_SAFE_INTEGER),
  };
}

/** The `--json` object: the continuation, its provenance and the settings that produced it. */
export function resultJson(run: string, prompt: string, options: GenerateOptions, result: GenerationResult, seconds: number): Record<string, unknown> {
  return {
    run,
    prompt,
    promptTokens: result.promptTokens,
    text: result.text,
    tokens: result.tokens,
    stop: result.stop,
    steps: result.steps,
    spans: result.spans,
    gaps: result.gaps,
    settings: {
      maxTokens: options.maxTokens,
      ensemble: options.ensemble,
      sampling: options.sampling ? { seed: options.sampling.seed, temperature: options.sampling.temperature, topK: options.sampling.topK ?? null } : null,
    },
    seconds,
  };
}

/** The run's ledger record in a data directory, or null when the directory holds no knowledge base. */
async function localLedger(dataDir: string, run: string): Promise<LocalLedger | null> {
  if (!existsSync(databasePath(dataDir))) return null;
  const store = openStore(dataDir, { readonly: true });
  try {
    const record = await store.getRun(run);
    return { dataDir, record, knownRuns: record ? [] : (await store.listRuns()).map((r) => r.run) };
  } finally {
    await store.close();
  }
}

/** Opens the run's KB (embedded or remote) and reads its shape. */
async function openRunKb(flags: GenerateFlags, run: string): Promise<{ kb: GenerationKb; shape: HierarchyShape }> {
  if (flags.server !== undefined) {
    // A refused connection fails at once; a server that answered and then restarts is waited for.
    const kb = remoteGenerationKb({
      baseUrl: parseServerUrl(flags.server),
      run,
      logger: lineLogger('kato generate'),
      waitForServer: false,
      onHealthWait: serverWaitNotice('kato generate'),
    });
    try {
      return { kb, shape: await remoteRunShape(kb, run, await localLedger(flags.dataDir, run)) };
    } catch (error) {
      await kb.close();
      throw error;
    }
  }
  if (!existsSync(databasePath(flags.dataDir))) {
    throw new NotFoundError(`no knowledge base in ${flags.dataDir}: train one with kato train --data-dir ${JSON.stringify(flags.dataDir)}`, {
      dataDir: flags.dataDir,
    });
  }
  const store = openStore(flags.dataDir, { readonly: true });
  try {
    const record = await store.getRun(run);
    const known = record ? [] : (await store.listRuns()).map((r) => r.run);
    // A --protocol kato run's patterns here are its mirror, kept under the mirror's kb_ids.
    const mirrored = readManifest(flags.dataDir, run)?.knowledgeBase?.startsWith(KATO_PROTOCOL_LOCATION) ?? false;
    return { kb: localGenerationKb(store, run, mirrored ? MIRROR_SERVICE_NAME : undefined), shape: runShape(run, record, known) };
  } catch (error) {
    await store.close();
    throw error;
  }
}

async function generateAction(prompt: string, flags: GenerateFlags): Promise<void> {
  const run = checkRunName(flags.run);
  const options: GenerateOptions = {
    maxTokens: integerFlag('--max-tokens', flags.maxTokens, 1, MAX_TOKENS),
    ensemble: integerFlag('--ensemble', flags.ensemble, 1, MAX_ENSEMBLE),
    sampling: samplingFlags(flags.seed, flags.temperature, flags.topK),
  };
  if (prompt.trim() === '') throw new ValidationError('the prompt is empty: give some text to continue', { field: 'prompt' });

  const { kb, shape } = await openRunKb(flags, run);
  let result: GenerationResult;
  const started = performance.now();
  try {
    result = await generate(generator(kb), shape, prompt, options);
  } finally {
    await kb.close();
  }
  const seconds = (performance.now() - started) / 1000;

  if (flags.json) process.stdout.write(`${JSON.stringify(resultJson(run, prompt, options, result, seconds))}\n`);
  else if (result.tokens.length > 0) process.stdout.write(`${result.text}\n`);
  if (result.tokens.length === 0 && result.stop === 'no-continuation') {
    process.stderr.write(`kato generate: no continuation: no level of run '${run}' holds text that continues the end of the prompt\n`);
    process.exitCode = GENERATE_EXIT.noContinuation;
  } else if (result.stop === 'missing-pattern') {
    const gap = result.gaps[0];
    process.stderr.write(
      `kato generate: stopped after ${result.tokens.length} tokens: pattern ${gap.name} of level ${gap.level} ` +
        `(named by ${gap.parent} of level ${gap.parentLevel}) is missing from the knowledge base\n`,
    );
    process.exitCode = GENERATE_EXIT.missingPattern;
  }
}

/** Registers `kato generate`. */
export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('continue a prompt from a trained run, with the patterns each span came from')
    .argument('<prompt>', 'text to continue (normalised and tokenized as the run\'s training text)')
    .option('--data-dir <dir>', "data directory of the run (with --server: where the run's ledger is)", './kato-data')
    .option('--run <name>', 'run to generate from', 'default')
    .option('--server <url>', 'predict and read patterns through a kato server (its run, or one trained with --protocol kato whose ledger is in --data-dir)')
    // The values stay strings, checked by integerFlag like given ones; help shows the numbers unquoted.
    .addOption(new Option('--max-tokens <n>', 'most tokens to generate').default(String(DEFAULT_MAX_TOKENS), String(DEFAULT_MAX_TOKENS)))
    .addOption(
      new Option('--ensemble <n>', 'predictions each level keeps and passes up as one event').default(String(DEFAULT_ENSEMBLE), String(DEFAULT_ENSEMBLE)),
    )
    .option('--seed <s>', 'sample continuations (seeded, reproducible) instead of taking the best one')
    .option('--temperature <t>', 'with --seed: softmax temperature over the ranking metric (default 1)')
    .option('--top-k <k>', 'with --seed: sample among at most k continuations')
    .option('--json', 'print one JSON object: the text, its tokens and each span\'s level, pattern, frequency and token range')
    .addHelpText(
      'after',
      `
Prints only the continuation, never the prompt. Exit codes: 0 generated, 1 error,
${GENERATE_EXIT.noContinuation} no continuation (no level of the run continues the prompt's end),
${GENERATE_EXIT.missingPattern} stopped at a pattern missing from the knowledge base.

${SERVER_REFUSED_HELP}

${SERVER_KEY_HELP}`,
    )
    .action(generateAction);
}
