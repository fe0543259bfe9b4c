import { describe, expect, it } from 'vitest';
import { DatasetRecordError } from '../../datasets/index.js';
import type { TrainingReport } from '../../training/session.js';
import { DocumentPrepareError } from '../../training/trainer.js';
import { emptyRunProblem, looksLikeExpandedGlob, resumeCommand, stoppedHint, type TrainFlags } from './train.js';

const flags = (extra: Partial<TrainFlags> = {}): TrainFlags => ({ dataDir: '/d', run: 'wiki', ...extra });

describe('resumeCommand', () => {
  it('repeats where the run lives and the session flags, never the run’s own config', () => {
    expect(resumeCommand(flags({ dataset: 'x.jsonl', textField: 'body', chunks: '4' }), {})).toBe('kato train --resume --run wiki --data-dir "/d"');
    expect(resumeCommand(flags(), { maxDocs: 300, skipBad: true })).toBe('kato train --resume --run wiki --data-dir "/d" --max-docs 300 --skip-bad');
    expect(resumeCommand(flags({ server: 'http://k:8000', protocol: 'kato' }), { maxDocs: 5 })).toBe(
      'kato train --resume --run wiki --data-dir "/d" --server http://k:8000 --protocol kato --max-docs 5',
    );
  });
});

describe('stoppedHint', () => {
  const corrupt = new DatasetRecordError('corrupt record at x.jsonl line 3');

  it('gives the --resume --skip-bad command, with the session flags, when a corrupt record stops a run that exists', () => {
    expect(stoppedHint(flags(), { maxDocs: 10 }, true, corrupt)).toBe(
      'kato train: stopped by an error; every committed document is kept. To skip corrupt records, resume with:\n' +
        '  kato train --resume --run wiki --data-dir "/d" --max-docs 10 --skip-bad\n' +
        'or, once the cause is fixed, resume with:\n  kato train --resume --run wiki --data-dir "/d" --max-docs 10\n',
    );
    expect(stoppedHint(flags(), {}, true, new DocumentPrepareError('cannot be prepared'))).toContain(
      'To skip documents that cannot be prepared, resume with:\n  kato train --resume --run wiki --data-dir "/d" --skip-bad\n',
    );
  });

  it('gives the plain --skip-bad form only when nothing was kept', () => {
    expect(stoppedHint(flags(), {}, false, corrupt)).toBe(
      'kato train: stopped by an error before anything was committed; run the same command with --skip-bad to skip corrupt records, ' +
        'or run it again once the cause is fixed.\n',
    );
  });

  it('offers no --skip-bad for an error it would not skip, or a session that had it', () => {
    expect(stoppedHint(flags(), { maxDocs: 5 }, true, new Error('disk full'))).toBe(
      'kato train: stopped by an error; every committed document is kept. Once the cause is fixed, resume with:\n' +
        '  kato train --resume --run wiki --data-dir "/d" --max-docs 5\n',
    );
    expect(stoppedHint(flags(), { skipBad: true }, true, corrupt)).not.toContain('To skip');
    expect(stoppedHint(flags(), {}, false, new Error('disk full'))).toBe(
      'kato train: stopped by an error before anything was committed; once the cause is fixed, run the same command again.\n',
    );
  });
});

describe('looksLikeExpandedGlob', () => {
  const argv = (...args: string[]): string[] => ['node', 'kato', 'train', ...args];

  it('is true for extra arguments that follow --dataset or look like paths', () => {
    expect(looksLikeExpandedGlob(argv('--dataset', 'a', 'b', 'c'), ['b', 'c'])).toBe(true);
    expect(looksLikeExpandedGlob(argv('--dataset=a', 'b'), ['b'])).toBe(true);
    expect(looksLikeExpandedGlob(argv('--run', 'x', 'dir/b'), ['dir/b'])).toBe(true);
    expect(looksLikeExpandedGlob(argv('b.jsonl.gz'), ['b.jsonl.gz'])).toBe(true);
  });

  it('is false for other extra arguments', () => {
    expect(looksLikeExpandedGlob(argv('brown'), ['brown'])).toBe(false);
    expect(looksLikeExpandedGlob(argv('--dataset', 'a', '--run', 'x', 'wiki'), ['wiki'])).toBe(false);
    expect(looksLikeExpandedGlob(argv('--dataset', 'a'), [])).toBe(false);
  });
});

describe('emptyRunProblem', () => {
  const report = (docs: number, read: Partial<NonNullable<TrainingReport['session']['read']>> | null, extra: Record<string, unknown> = {}): TrainingReport =>
    ({
      run: 'wiki',
      status: 'complete',
      config: { dataset: { spec: '/data/empty.jsonl' } },
      docs,
      session: {
        docs,
        position: 0,
        skippedCount: 0,
        read: read === null ? null : { read: 0, yielded: 0, filtered: 0, nulls: 0, bad: 0, truncated: 0, ...read },
        ...extra,
      },
    }) as unknown as TrainingReport;

  it('is null for a run with documents (a finished run resumed with nothing left to read too), or an interrupted session', () => {
    expect(emptyRunProblem(report(3, { read: 5, bad: 2 }))).toBeNull();
    expect(emptyRunProblem(report(3, { read: 0 }, { docs: 0, position: 3 }))).toBeNull();
    expect(emptyRunProblem({ ...report(0, { read: 4, bad: 4 }), status: 'interrupted' })).toBeNull();
    expect(emptyRunProblem({ ...report(0, { read: 0 }), status: 'interrupted' })).toBeNull();
  });

  it('names the dataset that yielded no document at all', () => {
    const message = "run 'wiki' learned no documents: the dataset /data/empty.jsonl holds no records, so it is removed again; check --dataset";
    expect(emptyRunProblem(report(0, { read: 0 }))).toBe(message);
    expect(emptyRunProblem(report(0, null))).toBe(message);
    expect(emptyRunProblem(report(0, { read: 0 }, { position: 2 }))).toBe(
      "run 'wiki' learned no documents: the dataset /data/empty.jsonl holds no records after position 2, so it is removed again; check --dataset",
    );
  });

  it('tells how many records were skipped and why, pointing at --text-field', () => {
    expect(emptyRunProblem(report(0, { read: 4, bad: 3, filtered: 1 }))).toBe(
      "run 'wiki' learned no documents: all 4 records read were skipped (3 corrupt, 1 empty), so it is removed again; " +
        'run the command without --skip-bad to see why the first corrupt record was refused ' +
        '(if the records keep their text in another field, name it with --text-field NAME)',
    );
    expect(emptyRunProblem(report(0, { read: 1, filtered: 1 }))).toBe(
      "run 'wiki' learned no documents: the one record read was skipped (1 empty), so it is removed again; check the dataset and --text-field",
    );
    expect(emptyRunProblem(report(0, { read: 2, yielded: 2 }, { skippedCount: 2 }))).toMatch(/all 2 records read were skipped \(2 unpreparable\)/);
  });
});
