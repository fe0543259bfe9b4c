/**
 * Aligning a candidate's unravelled text to the end of the context: the position in the text
 * where the longest suffix of the context ends, searched where the prediction's present says.
 */
import type { UnravelledText } from './unravel.js';

/** Where, in a candidate's text, the context ends. */
export interface Alignment {
  /** Token offset just after the last context token found. */
  readonly at: number;
  /** Context tokens found verbatim right before `at` (at most the horizon). */
  readonly aligned: number;
}

/**
 * The token range the context's end may fall in, from a prediction's segmentation: from the start
 * of the present to the end of the first future event (the prompt's last, partial chunk is often
 * not among the matched symbols, so its chunk is the first future event), anchored at the end of
 * the present, where the last matched symbol ends.
 */
export interface SearchWindow {
  readonly from: number;
  readonly to: number;
  readonly anchor: number;
}

/** The search window of a candidate with `pastEvents` then `presentEvents` events matched. */
export function searchWindow(text: UnravelledText, pastEvents: number, presentEvents: number): SearchWindow {
  const ends = text.eventEnds;
  const at = (event: number): number => (event <= 0 ? 0 : ends[Math.min(event, ends.length) - 1]);
  const from = at(pastEvents);
  const anchor = at(pastEvents + presentEvents);
  const to = at(pastEvents + presentEvents + 1);
  return { from, to, anchor };
}

/**
 * The best alignment of `context`'s end in `text` within `window`: the longest verbatim suffix
 * (capped at `horizon` tokens), then the position nearest the anchor, then the earliest.
 * `aligned` is 0 when the context's last token occurs nowhere in the window.
 */
export function alignContext(context: readonly string[], text: UnravelledText, window: SearchWindow, horizon: number): Alignment {
  const tokens = text.tokens;
  const n = context.length;
  const last = context[n - 1];
  let best: Alignment = { at: window.anchor, aligned: 0 };
  for (let at = Math.max(window.from, 1); at <= window.to; at++) {
    if (tokens[at - 1] !== last) continue;
    const limit = Math.min(horizon, n, at);
    let k = 1;
    while (k < limit && tokens[at - 1 - k] === context[n - 1 - k]) k++;
    const nearer = Math.abs(at - window.anchor) < Math.abs(best.at - window.anchor);
    if (k > best.aligned || (k === best.aligned && nearer)) best = { at, aligned: k };
  }
  return best;
}

/** The tokens after `at` up to `budget` of them, stopping before a hole; and whether a hole stopped them. */
export function tokensAfter(text: UnravelledText, at: number, budget: number): { tokens: string[]; hole: number | null } {
  const out: string[] = [];
  for (let i = at; i < text.tokens.length && out.length < budget; i++) {
    const token = text.tokens[i];
    if (token === null) return { tokens: out, hole: i };
    out.push(token);
  }
  return { tokens: out, hole: null };
}
