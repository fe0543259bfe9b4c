/**
 * Top-down unravelling: patterns of a level down to the token strings they were learned from,
 * one batched read per level for all the patterns at once; a missing child leaves a marked hole.
 */
import type { Event } from '../engine/types.js';
import { checkedEvents, decodeSymbol } from './levels.js';
import type { PatternReader } from './pattern-cache.js';
import type { Gap } from './types.js';

/** A pattern to unravel: its name and events. */
export interface NamedPattern {
  readonly name: string;
  readonly events: readonly Event[];
}

/** A pattern's text as tokens; `null` marks where a missing pattern's tokens would be. */
export interface UnravelledText {
  readonly tokens: readonly (string | null)[];
  /** Token offset just after each of the pattern's own events. */
  readonly eventEnds: readonly number[];
  /** One per `null` in `tokens`, in order. */
  readonly gaps: readonly Gap[];
}

// A symbol on its way down: which pattern it belongs to, which of that pattern's events it
// descends from, and the pattern one level up that holds it (for gap reports).
interface Pending {
  readonly owner: number;
  readonly event: number;
  readonly symbol: string;
  readonly parent: string;
  readonly gap: Gap | null;
}

/** The token text of each pattern of `level`, in input order. */
export async function unravelPatterns(reader: PatternReader, level: number, patterns: readonly NamedPattern[]): Promise<UnravelledText[]> {
  let pending: Pending[] = [];
  patterns.forEach((pattern, owner) => {
    checkedEvents(level, pattern.name, pattern.events).forEach((event, index) => {
      for (const symbol of event) pending.push({ owner, event: index, symbol, parent: pattern.name, gap: null });
    });
  });
  for (let l = level; l > 0; l--) {
    const names: string[] = [];
    const refs = pending.map((p) => {
      if (p.gap) return null;
      const ref = decodeSymbol(l, p.symbol, p.parent);
      if (ref.kind !== 'pattern') return null;
      names.push(ref.name);
      return ref.name;
    });
    const found = await reader.read(l - 1, names);
    const next: Pending[] = [];
    pending.forEach((p, i) => {
      const name = refs[i];
      if (p.gap || name === null) {
        next.push(p);
        return;
      }
      const events = found.get(name);
      if (!events) {
        next.push({ ...p, gap: { level: l - 1, name, parentLevel: l, parent: p.parent } });
        return;
      }
      for (const event of checkedEvents(l - 1, name, events)) {
        for (const symbol of event) next.push({ owner: p.owner, event: p.event, symbol, parent: name, gap: null });
      }
    });
    pending = next;
  }

  const texts = patterns.map((pattern) => ({
    tokens: [] as (string | null)[],
    eventEnds: new Array<number>(pattern.events.length).fill(0),
    gaps: [] as Gap[],
  }));
  for (const p of pending) {
    const text = texts[p.owner];
    if (p.gap) {
      text.tokens.push(null);
      text.gaps.push(p.gap);
    } else {
      text.tokens.push(p.symbol);
    }
    text.eventEnds[p.event] = text.tokens.length;
  }
  // An event ends where the previous one did if it produced nothing (it always produces at least
  // a token or a hole, but keep the offsets monotone whatever the KB holds).
  for (const text of texts) for (let e = 1; e < text.eventEnds.length; e++) text.eventEnds[e] = Math.max(text.eventEnds[e], text.eventEnds[e - 1]);
  return texts;
}
