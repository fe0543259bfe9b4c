/**
 * The text part's public surface: GPT-2 tokenization to token strings and back, and the
 * named, versioned normalisers.
 */
export {
  GPT2_TOKENIZER,
  GPT2_VOCABULARY_SIZE,
  detokenize,
  tokenId,
  tokenIds,
  tokenString,
  tokenize,
} from './gpt2.js';
export { BYTE_TO_CHAR, bytesToTokenString, tokenStringToBytes } from './bytes.js';
export { normalize, normalizer, normalizerNames } from './normalize.js';
export type { Normalizer, Tokenizer } from './types.js';
