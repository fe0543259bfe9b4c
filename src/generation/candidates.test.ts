import { describe, expect, it } from 'vitest';
import { candidateOf } from './candidates.js';

const name = 'a'.repeat(40);

describe('candidateOf', () => {
  it('reads a full-path prediction: the whole sequence and the size of its past and present', () => {
    const c = candidateOf(
      2,
      3,
      {
        name,
        frequency: 4,
        matches: ['y'],
        similarity: 0.25,
        potential: 1.5,
        sequence: [['x'], ['y'], ['z']],
        past: [['x']],
        present: [['y']],
      },
      'similarity',
    );
    expect(c).toEqual({
      level: 2,
      name,
      frequency: 4,
      matches: ['y'],
      similarity: 0.25,
      potential: 1.5,
      score: 0.25,
      rank: 3,
      events: [['x'], ['y'], ['z']],
      pastEvents: 1,
      presentEvents: 1,
    });
  });

  it('reads a single-symbol prediction: its first event is the present', () => {
    const c = candidateOf(0, 0, { name, frequency: 1, matches: ['x'], similarity: 0.4, potential: 2.2, pattern_data: [['x'], ['y']] }, 'potential');
    expect(c.events).toEqual([['x'], ['y']]);
    expect([c.pastEvents, c.presentEvents, c.score]).toEqual([0, 1, 2.2]);
  });
});
