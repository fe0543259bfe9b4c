/**
 * GPT-2 byte-level BPE: text to the token strings the Hugging Face GPT-2 tokenizer prints
 * (`Ġworld`, `Ċ`), token ids, and token strings back to the exact original text.
 */
import { encode } from 'gpt-tokenizer/encoding/r50k_base';
import r50kRanks from 'gpt-tokenizer/bpeRanks/r50k_base';
import { ValidationError } from '../errors.js';
import { bytesToTokenString, writeTokenBytes } from './bytes.js';
import { mergePiece } from './bpe.js';
import type { Tokenizer } from './types.js';

/** The tokenizer descriptor recorded in run configs (bump `version` if token output changes). */
export const GPT2_TOKENIZER: Tokenizer = { name: 'gpt2', version: 'r50k_base/gpt-tokenizer-4/1' };

/** GPT-2's pre-tokenizer pattern (identical to r50k_base's). */
const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/**
 * A pre-token longer than this (UTF-16 units) is merged by the O(n log n) merger instead of the
 * encoder's quadratic scan; below it the encoder is faster.
 */
const LONG_PIECE = 256;

// An empty disallowed set makes the encoder read `<|endoftext|>` in a document as plain text.
const TEXT_ONLY = { disallowedSpecial: new Set<string>() };

// In unicode mode this class matches only unpaired surrogates.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

const END_OF_TEXT = '<|endoftext|>';
const END_OF_TEXT_ID = 50_256;

let vocabulary: { tokens: string[]; ranks: Map<string, number> } | undefined;

/** Token strings by id, and ids by token string, built once from the bundled r50k ranks. */
function gpt2Vocabulary(): { tokens: string[]; ranks: Map<string, number> } {
  if (vocabulary) return vocabulary;
  const utf8 = new TextEncoder();
  const tokens: string[] = [];
  const ranks = new Map<string, number>();
  r50kRanks.forEach((entry, id) => {
    const bytes = typeof entry === 'string' ? utf8.encode(entry) : Uint8Array.from(entry);
    const token = bytesToTokenString(bytes);
    tokens[id] = token;
    ranks.set(token, id);
  });
  // The special token is printed by name but kept out of `ranks`, so no merge can produce it.
  tokens[END_OF_TEXT_ID] = END_OF_TEXT;
  vocabulary = { tokens, ranks };
  return vocabulary;
}

/** Number of ids in the GPT-2 vocabulary (50,257, `<|endoftext|>` included). */
export const GPT2_VOCABULARY_SIZE = 50_257;

/** The token string of a GPT-2 token id (`995` → `Ġworld`). */
export function tokenString(id: number): string {
  const token = gpt2Vocabulary().tokens[id];
  if (token === undefined) {
    throw new ValidationError(`token id ${id} is not in the GPT-2 vocabulary`, { id });
  }
  return token;
}

/** The GPT-2 token id of a token string, or undefined when it is not in the vocabulary. */
export function tokenId(token: string): number | undefined {
  return token === END_OF_TEXT ? END_OF_TEXT_ID : gpt2Vocabulary().ranks.get(token);
}

function assertWellFormed(text: string): void {
  const match = LONE_SURROGATE.exec(text);
  if (match) {
    throw new ValidationError(
      `text is not well-formed Unicode: unpaired surrogate U+${text.charCodeAt(match.index).toString(16).toUpperCase()} at index ${match.index}`,
      { index: match.index },
    );
  }
}

/**
 * Token ids by pre-token. Pre-tokens are encoded independently of each other, so each distinct
 * one is encoded once; a lookup never reorders the map (unlike an LRU), and a full map is
 * emptied and refilled, so its cost per pre-token stays flat however many distinct words a
 * corpus holds.
 */
const pieceIds = new Map<string, readonly number[]>();
const PIECE_CACHE_LIMIT = 500_000;

function encodePiece(piece: string): readonly number[] {
  if (piece.length <= LONG_PIECE) return encode(piece, TEXT_ONLY);
  // Long pre-tokens go through the O(n log n) merger instead of the encoder's quadratic scan.
  const { ranks } = gpt2Vocabulary();
  const chars = bytesToTokenString(new TextEncoder().encode(piece));
  return mergePiece(chars, (t) => ranks.get(t)).map((token) => ranks.get(token) as number);
}

/** GPT-2 token ids of `text`; `<|endoftext|>` inside it is plain text, never the special token. */
export function tokenIds(text: string): number[] {
  assertWellFormed(text);
  const ids: number[] = [];
  for (const match of text.matchAll(GPT2_SPLIT)) {
    const piece = match[0];
    let pieceTokens = pieceIds.get(piece);
    if (pieceTokens === undefined) {
      pieceTokens = encodePiece(piece);
      // Long pre-tokens are rare and large: they are not kept.
      if (piece.length <= LONG_PIECE) {
        if (pieceIds.size >= PIECE_CACHE_LIMIT) pieceIds.clear();
        pieceIds.set(piece, pieceTokens);
      }
    }
    for (let k = 0; k < pieceTokens.length; k++) ids.push(pieceTokens[k]);
  }
  return ids;
}

/** GPT-2 token strings of `text`, as the Hugging Face GPT-2 tokenizer prints them. */
export function tokenize(text: string): string[] {
  const { tokens } = gpt2Vocabulary();
  const ids = tokenIds(text);
  const out = new Array<string>(ids.length);
  for (let i = 0; i < ids.length; i++) out[i] = tokens[ids[i]];
  return out;
}

// ignoreBOM keeps a leading U+FEFF in the text instead of swallowing it as a byte-order mark.
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * The text that GPT-2 token strings stand for. A complete token sequence gives back the exact
 * original text; a slice that cuts a multi-byte character decodes that character as U+FFFD.
 */
export function detokenize(tokens: readonly string[]): string {
  let length = 0;
  for (const token of tokens) length += token.length;
  const bytes = new Uint8Array(length);
  let end = 0;
  for (const token of tokens) end = writeTokenBytes(token, bytes, end);
  return utf8Decoder.decode(bytes.subarray(0, end));
}
