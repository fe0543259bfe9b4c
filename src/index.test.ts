import { describe, expect, it } from 'vitest';
import * as kato from './index.js';

describe('the library entry point', () => {
  it('exports pattern names, the store opener, the processor, the trainer, the server, the client and generation', () => {
    expect(kato.patternName([['a'], ['b']])).toBe('76d7efca2e96cb5eeddf4e06ac96a0f424630135');
    expect(kato.kbIdFor('default/node0', 'kato')).toBe('default_node0_kato');
    expect(typeof kato.openStore).toBe('function');
    expect(typeof kato.processor.observe).toBe('function');
    expect(typeof kato.predictions.predict).toBe('function');
    expect(typeof kato.text.tokenize).toBe('function');
    expect(typeof kato.datasets.resolveDataset).toBe('function');
    expect(typeof kato.training.runTraining).toBe('function');
    expect(typeof kato.training.localKnowledgeBase).toBe('function');
    expect(typeof kato.server.startServer).toBe('function');
    expect(typeof kato.client.KatoClient).toBe('function');
    expect(typeof kato.generation.generate).toBe('function');
  });
});
