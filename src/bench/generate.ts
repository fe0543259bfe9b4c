/**
 * bench:generate — latency to the first 64 generated tokens for prompts taken from inside Brown
 * documents, on a KB trained on the bundled corpus (in a temp dir unless --data-dir is given).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { brownSource } from '../datasets/index.js';
import { generate, generator, promptTokens } from '../generation/generate.js';
import { localGenerationKb } from '../generation/local-kb.js';
import { runShape } from '../generation/shape.js';
import type { GenerateOptions, GenerationKb, HierarchyShape } from '../generation/types.js';
import { databasePath, openStore } from '../store/index.js';
import { normalize, tokenize, detokenize } from '../text/index.js';
import { count, duration } from '../training/format.js';
import { localKnowledgeBase } from '../training/knowledge-base.js';
import { defaultWorkers } from '../training/preparer.js';
import { runTraining } from '../training/session.js';
import { seededRandom } from './random.js';

const PROMPTS = 40;
const PROMPT_TOKENS = [20, 40];
const TOKENS = 64;
const ENSEMBLE = 10;

interface Prompt {
  doc: string;
  offset: number;
  text: string;
  expected: string[];
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function milliseconds(ms: number): string {
  return `${ms.toFixed(1)} ms`;
}

/** Prompts of 20–39 tokens from seeded offsets inside the documents, each with the 64 tokens after it. */
async function corpusPrompts(shape: HierarchyShape, docs: number): Promise<Prompt[]> {
  const documents: { id: string; tokens: string[] }[] = [];
  for await (const record of brownSource().open()) {
    documents.push({ id: record.id, tokens: tokenize(normalize(shape.normalizer, record.text)) });
    if (documents.length === docs) break;
  }
  const random = seededRandom(2024);
  const prompts: Prompt[] = [];
  while (prompts.length < PROMPTS) {
    const doc = documents[Math.floor(random() * documents.length)];
    const length = PROMPT_TOKENS[0] + Math.floor(random() * (PROMPT_TOKENS[1] - PROMPT_TOKENS[0]));
    if (doc.tokens.length < length + TOKENS + 1) continue;
    const offset = Math.floor(random() * (doc.tokens.length - length - TOKENS));
    const text = detokenize(doc.tokens.slice(offset, offset + length));
    // Only prompts that tokenize back to the document's own tokens have a single right answer.
    if (promptTokens(shape, text).tokens.join('\u0000') !== doc.tokens.slice(offset, offset + length).join('\u0000')) continue;
    prompts.push({ doc: doc.id, offset, text, expected: doc.tokens.slice(offset + length, offset + length + TOKENS) });
  }
  return prompts;
}

interface Pass {
  latencies: number[];
  exact: number;
  tokens: number;
}

/** Generates 64 tokens for every prompt with a fresh generator (no memo carried between prompts). */
async function pass(kb: GenerationKb, shape: HierarchyShape, prompts: readonly Prompt[], options: GenerateOptions): Promise<Pass> {
  const latencies: number[] = [];
  let exact = 0;
  let tokens = 0;
  for (const prompt of prompts) {
    const started = performance.now();
    const result = await generate(generator(kb), shape, prompt.text, options);
    latencies.push(performance.now() - started);
    tokens += result.tokens.length;
    if (result.tokens.join('\u0000') === prompt.expected.join('\u0000')) exact++;
  }
  return { latencies: latencies.sort((a, b) => a - b), exact, tokens };
}

function report(label: string, p: Pass, prompts: number): void {
  const total = p.latencies.reduce((a, b) => a + b, 0);
  console.log(
    `${label}: p50 ${milliseconds(percentile(p.latencies, 0.5))}, p95 ${milliseconds(percentile(p.latencies, 0.95))}, ` +
      `max ${milliseconds(p.latencies[p.latencies.length - 1])}, mean ${milliseconds(total / prompts)} ` +
      `(${count((p.tokens / total) * 1000)} tokens/s); ${p.exact}/${prompts} continued with the document's own next ${TOKENS} tokens`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, run: { type: 'string' } } });
  let dataDir = values['data-dir'];
  let run = values.run ?? 'default';
  const temporary = dataDir === undefined ? mkdtempSync(join(tmpdir(), 'kato-bench-generate-')) : null;
  console.log(`bench:generate — ${PROMPTS} prompts of ${PROMPT_TOKENS[0]}–${PROMPT_TOKENS[1] - 1} tokens from inside Brown documents, ${TOKENS} tokens each, ensemble ${ENSEMBLE}`);
  console.log(`load average at the start: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores\n`);
  try {
    if (temporary) {
      dataDir = temporary;
      run = 'bench';
      const kb = localKnowledgeBase(openStore(dataDir));
      try {
        const trained = await runTraining({ kb, dataDir, run, resume: false, reset: false, workers: defaultWorkers(), katoVersion: 'bench' });
        console.log(
          `training (separate from generation): ${count(trained.session.docs)} Brown documents, ${count(trained.tokens)} tokens ` +
            `in ${duration(trained.seconds)} (${count(trained.tokensPerSecond)} tokens/s); ` +
            `patterns per level ${trained.levels.map((l) => count(l.distinct)).join(' / ')}`,
        );
      } finally {
        await kb.close();
      }
    } else if (!existsSync(databasePath(dataDir!))) {
      throw new Error(`no knowledge base in ${dataDir}`);
    }

    const store = openStore(dataDir!, { readonly: true });
    const record = await store.getRun(run);
    const shape = runShape(run, record, (await store.listRuns()).map((r) => r.run));
    const kb = localGenerationKb(store, run);
    try {
      const prompts = await corpusPrompts(shape, record!.docs);
      const options = { maxTokens: TOKENS, ensemble: ENSEMBLE };

      // The first generation of a process builds level 0's in-memory candidate index.
      const started = performance.now();
      await generate(generator(kb), shape, prompts[0].text, options);
      console.log(`first generation in this process (builds the level-0 candidate index): ${milliseconds(performance.now() - started)}\n`);

      // The first pass also warms the store's pages for levels 1–3; the second shows a warm process.
      report(`latency to the first ${TOKENS} tokens (deterministic, first pass)`, await pass(kb, shape, prompts, options), prompts.length);
      report(`latency to the first ${TOKENS} tokens (deterministic, second pass)`, await pass(kb, shape, prompts, options), prompts.length);
      report(
        `latency to the first ${TOKENS} tokens (sampled: seed 1, temperature 1, top-k 5)`,
        await pass(kb, shape, prompts, { ...options, sampling: { seed: 1, temperature: 1, topK: 5 } }),
        prompts.length,
      );
    } finally {
      await kb.close();
    }
  } finally {
    if (temporary) rmSync(temporary, { recursive: true, force: true });
  }
}

await main();
