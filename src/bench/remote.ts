/**
 * bench:remote — remote training throughput with `kato serve` and the trainer on one machine: the
 * native batch routes (tokens/s, whole Brown corpus) and KATO's own routes (`--protocol kato`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/index.js';
import { compact, count, duration } from '../training/format.js';
import { localKnowledgeBase, type KnowledgeBase } from '../training/knowledge-base.js';
import { defaultWorkers } from '../training/preparer.js';
import { katoProtocolKnowledgeBase } from '../training/remote-kato.js';
import { remoteKnowledgeBase } from '../training/remote-knowledge-base.js';
import { runTraining, type TrainingReport } from '../training/session.js';

const HIERARCHY = { levels: 4, chunks: [8, 8, 8, 8], remainder: 'merge' as const };
/** Documents trained through KATO's routes (one request per chunk makes the whole corpus slow). */
const KATO_DOCS = Number(process.env.KATO_BENCH_KATO_DOCS ?? 100);
const TARGET = 100_000;
const CLI = join(import.meta.dirname, '..', 'cli', 'main.js');
const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined };

/** Starts `kato serve` on a free port and resolves with the child and its URL. */
async function serve(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`kato serve exited with ${code} before listening`)));
  });
  return { child, url };
}

async function train(kb: KnowledgeBase, dataDir: string, workers: number, maxDocs?: number): Promise<TrainingReport> {
  try {
    return await runTraining({ kb, dataDir, run: 'bench', resume: false, reset: false, hierarchy: HIERARCHY, workers, maxDocs, katoVersion: 'bench' });
  } finally {
    await kb.close();
  }
}

function line(label: string, report: TrainingReport, extra = ''): void {
  const s = report.session;
  console.log(
    `${label}: ${count(s.docs)} docs, ${count(s.tokens)} tokens in ${duration(report.seconds)} → ${count(report.tokensPerSecond)} tokens/s${extra}`,
  );
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'kato-bench-remote-'));
  const children: ChildProcess[] = [];
  try {
    const workers = defaultWorkers();
    console.log(`bench:remote — kato serve (child process) and the trainer on this machine; 4 levels of chunk 8, ${workers} preparation worker(s)\n`);

    const embedded = await train(localKnowledgeBase(openStore(join(root, 'embedded'))), join(root, 'embedded'), workers);
    line('embedded (reference)', embedded);

    const native = await serve(join(root, 'server-native'));
    children.push(native.child);
    const remote = remoteKnowledgeBase({ baseUrl: native.url, logger: quiet });
    const counters = remote.counters;
    const nativeReport = await train(remote, join(root, 'trainer-native'), workers);
    line(
      'remote, native batch routes',
      nativeReport,
      ` (${count(counters.requests)} requests, ${count(counters.retries)} retries; digest ${nativeReport.digest === embedded.digest ? 'equals' : 'DIFFERS from'} embedded)`,
    );
    console.log(`  target ≥ ${count(TARGET)} tokens/s: ${nativeReport.tokensPerSecond >= TARGET ? 'met' : 'NOT met'}`);
    console.log(`  commit time ${duration(nativeReport.session.commitMs / 1000)} (HTTP + server transaction), per level learned/distinct: ${nativeReport.levels.map((l) => `L${l.level} ${compact(l.learned)}/${compact(l.distinct)}`).join(', ')}\n`);

    const kato = await serve(join(root, 'server-kato'));
    children.push(kato.child);
    const protocol = katoProtocolKnowledgeBase({ baseUrl: kato.url, logger: quiet, mirror: openStore(join(root, 'trainer-kato')) });
    const katoCounters = protocol.counters;
    const started = performance.now();
    const katoReport = await train(protocol, join(root, 'trainer-kato'), workers, KATO_DOCS);
    const seconds = (performance.now() - started) / 1000;
    line(
      `remote, --protocol kato (KATO v3 routes only, first ${KATO_DOCS} docs)`,
      katoReport,
      `, ${count(katoCounters.requests / katoReport.seconds)} requests/s (${count(katoCounters.requests)} requests in ${duration(seconds)} with digest)`,
    );
    const sameCorpus = await train(localKnowledgeBase(openStore(join(root, 'embedded-kato'))), join(root, 'embedded-kato'), workers, KATO_DOCS);
    console.log(`  digest of the run's mirror ${katoReport.digest === sameCorpus.digest ? 'equals' : 'DIFFERS from'} the embedded run of the same ${KATO_DOCS} docs`);
    console.log(`  native batch routes are ${(nativeReport.tokensPerSecond / Math.max(1, katoReport.tokensPerSecond)).toFixed(1)}× faster in tokens/s`);
  } finally {
    for (const child of children) child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
