/**
 * Generation: tokenize the prompt like training text, then activate, choose, unravel and append,
 * round after round, until the token budget is spent or no level continues the context.
 */
import { ValidationError } from '../errors.js';
import { detokenize, normalize, tokenize } from '../text/index.js';
import { activate } from './activation.js';
import { chooseContinuation, type ChoiceInput } from './choice.js';
import { patternReader, type PatternReader } from './pattern-cache.js';
import { memoPredictor, type Predictor } from './predictor.js';
import { samplingRandom } from './sampling.js';
import { symbolOfPattern } from './levels.js';
import type { Continuation, Gap, GenerateOptions, GenerationKb, GenerationResult, HierarchyShape, Span, StopReason } from './types.js';

/** Level-0 chunks of context each activation observes. */
export const WINDOW_CHUNKS = 4;
/** Most context tokens a continuation is verified against. */
export const ALIGN_HORIZON = 256;

/** A prompt as generation sees it. */
export interface PromptTokens {
  readonly tokens: string[];
  /**
   * True when the prompt ended in a space. In running text that space starts the next token
   * (`Ġword`), so it is left out of the tokens, and the continuation's first space is not
   * repeated in the text.
   */
  readonly trailingSpace: boolean;
}

/**
 * The prompt normalised and tokenized as the run's training text was. Trailing whitespace is cut
 * as it would be with a word after it (`\n\n` before a word is `Ċ`,`Ċ`, at the very end `ĊĊ`):
 * the prompt is tokenized with a letter appended, and that letter's token dropped.
 */
export function promptTokens(shape: HierarchyShape, prompt: string): PromptTokens {
  const normalized = normalize(shape.normalizer, prompt);
  if (normalized.trim().length === 0) throw new ValidationError('the prompt is empty: give some text to continue', { field: 'prompt' });
  if (!/\s$/.test(normalized)) return { tokens: tokenize(normalized), trailingSpace: false };
  const tokens = tokenize(`${normalized}a`);
  const letter = tokens.pop();
  return { tokens, trailingSpace: letter === 'Ġa' };
}

/** A generation session's reusable parts: the memoised predictor and the pattern cache. */
export interface Generator {
  readonly predict: Predictor;
  readonly reader: PatternReader;
}

/** A generator over `kb` (predictions and patterns are remembered across prompts). */
export function generator(kb: GenerationKb): Generator {
  return { predict: memoPredictor(kb), reader: patternReader(kb) };
}

function spanText(tokens: readonly string[], dropSpace: boolean): string {
  const text = detokenize([...tokens]);
  return dropSpace && text.startsWith(' ') ? text.slice(1) : text;
}

/**
 * The continuation of a context, activating on its last `window` tokens and then on ever shorter
 * ends of it (halving down to one token) for as long as the best continuation so far does not
 * verify the whole window: words the KB never saw together at the start of a window can pin the
 * wrong chunk phase or patterns and hide the continuation of its last words. The continuation
 * verifying the most context wins; on a tie, the one found with the longer window.
 */
async function continueContext(gen: Generator, shape: HierarchyShape, input: ChoiceInput, window: number, ensemble: number): Promise<Continuation | null> {
  let best: Continuation | null = null;
  for (let size = window; size >= 1; size = Math.floor(size / 2)) {
    const choice = await chooseContinuation(await activate(gen.predict, gen.reader, shape, input.context.slice(-size), ensemble), input);
    if (choice && (best === null || choice.aligned > best.aligned)) best = choice;
    if (best && best.aligned >= size) break;
  }
  return best;
}

/** Continues `prompt` from the KB's patterns, with the pattern each span came from. */
export async function generate(gen: Generator, shape: HierarchyShape, prompt: string, options: GenerateOptions): Promise<GenerationResult> {
  const { tokens: promptList, trailingSpace } = promptTokens(shape, prompt);
  const random = options.sampling ? samplingRandom(options.sampling) : undefined;
  const windowSize = WINDOW_CHUNKS * shape.chunks[0];
  const generated: string[] = [];
  const spans: Span[] = [];
  const gaps: Gap[] = [];
  let stop: StopReason = 'max-tokens';
  let steps = 0;
  // Context tokens known to be stored text: the whole prompt at first (nothing is known yet), then
  // what the last continuation verified plus what it added.
  let verified = promptList.length;
  while (generated.length < options.maxTokens) {
    const context = [...promptList, ...generated].slice(-ALIGN_HORIZON);
    const input: ChoiceInput = {
      reader: gen.reader,
      context,
      budget: options.maxTokens - generated.length,
      horizon: ALIGN_HORIZON,
      chunk: shape.chunks[0],
      sampling: options.sampling && random ? { options: options.sampling, random } : undefined,
    };
    const choice = await continueContext(gen, shape, input, Math.min(windowSize, verified), options.ensemble);
    steps++;
    if (choice === null) {
      stop = 'no-continuation';
      break;
    }
    if (choice.tokens.length > 0) {
      const start = generated.length;
      generated.push(...choice.tokens);
      const { candidate } = choice;
      spans.push({
        start,
        end: generated.length,
        text: spanText(choice.tokens, trailingSpace && start === 0),
        level: candidate.level,
        pattern: symbolOfPattern(candidate.name),
        offset: choice.at,
        frequency: candidate.frequency,
        aligned: choice.aligned,
        similarity: candidate.similarity,
        potential: candidate.potential,
        rank: candidate.rank,
        phase: choice.phase,
      });
    }
    verified = choice.aligned + choice.tokens.length;
    if (choice.gap) {
      gaps.push(choice.gap);
      stop = 'missing-pattern';
      break;
    }
  }
  return {
    text: spanText(generated, trailingSpace),
    tokens: generated,
    promptTokens: promptList.length,
    spans,
    gaps,
    stop,
    steps,
  };
}
