import { describe, expect, it } from 'vitest';
import type { TrainingReport } from '../../training/session.js';
import { emptyRunProblem, resumeCommand, type TrainFlags } from './train.js';

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

describe('emptyRunProblem', () => {
  const report = (docs: number, read: Partial<NonNullable<TrainingReport['session']['read']>> | null, extra: Record<string, unknown> = {}): TrainingReport =>
    ({
      run: 'wiki',
      status: 'complete',
      docs,
      session: {
        docs,
        skippedCount: 0,
        read: read === null ? null : { read: 0, yielded: 0, filtered: 0, nulls: 0, bad: 0, truncated: 0, ...read },
        ...extra,
      },
    }) as unknown as TrainingReport;

  it('is null for a run with documents, an empty dataset, or an interrupted session', () => {
    expect(emptyRunProblem(report(3, { read: 5, bad: 2 }))).toBeNull();
    expect(emptyRunProblem(report(0, { read: 0 }))).toBeNull();
    expect(emptyRunProblem(report(0, null))).toBeNull();
    expect(emptyRunProblem({ ...report(0, { read: 4, bad: 4 }), status: 'interrupted' })).toBeNull();
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
