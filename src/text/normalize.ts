/**
 * Source-specific text normalisation: named, versioned pure functions applied to a record's
 * text before tokenization, in training and at inference alike (kato-lm-spec §11.12).
 */
import { ValidationError } from '../errors.js';
import type { Normalizer } from './types.js';

interface NormalizerEntry extends Normalizer {
  readonly apply: (text: string) => string;
}

const NORMALIZERS: Readonly<Record<string, NormalizerEntry>> = {
  none: {
    name: 'none',
    version: '1',
    description: 'text as the source gives it',
    apply: (text) => text,
  },
  wikitext: {
    name: 'wikitext',
    version: '1',
    description:
      "undoes WikiText's tokenisation: ' @-@ ' → '-', ' @,@ ' → ',', ' @.@ ' → '.', no space before " +
      "punctuation and contractions, none inside brackets and quotes, '= = X = =' → '== X =='",
    apply: wikitextDetokenize,
  },
};

/** Names of the known normalisers, sorted. */
export function normalizerNames(): string[] {
  return Object.keys(NORMALIZERS).sort();
}

/** The descriptor (name, version, description) of a normaliser, for config hashing and listing. */
export function normalizer(name: string): Normalizer {
  const entry = NORMALIZERS[name];
  if (!entry) {
    throw new ValidationError(`unknown normaliser '${name}' (known: ${normalizerNames().join(', ')})`, {
      field: 'normalizer',
      value: name,
    });
  }
  return { name: entry.name, version: entry.version, description: entry.description };
}

/** `text` normalised by the named normaliser. */
export function normalize(name: string, text: string): string {
  normalizer(name);
  return NORMALIZERS[name].apply(text);
}

/** WikiText's space-separated punctuation and number separators turned back into plain text. */
function wikitextDetokenize(text: string): string {
  return (
    text
      // Number separators: "1 @,@ 000", "3 @.@ 5", "well @-@ known".
      .replace(/ @([-,.])@ /g, '$1')
      // Headings: "= = Gameplay = =" → "== Gameplay ==".
      .replace(/(^|\n)([ \t]*)((?:= )+)(.*?)((?: =)+)[ \t]*(?=\n|$)/g, (_m, start: string, _indent, open: string, title: string, close: string) =>
        `${start}${open.replace(/ /g, '')} ${title} ${close.replace(/ /g, '')}`,
      )
      // Each double-quoted span loses the spaces just inside its quotes.
      .replace(/" ([^"\n]*?) "/g, '"$1"')
      // No space before closing punctuation, contractions and the plural possessive.
      .replace(/ ([,.;:!?%)\]}])/g, '$1')
      .replace(/ (n't|'s|'re|'ve|'ll|'d|'m)(?=[^\p{L}]|$)/giu, '$1')
      .replace(/s ' /g, "s' ")
      // No space after opening brackets.
      .replace(/([([{]) /g, '$1')
      // WikiText pads every line with a leading and a trailing space.
      .replace(/^ +| +$/gm, '')
  );
}
