/**
 * The preparation worker thread: receives document texts, prepares each (tokenize, hierarchy,
 * names) and posts the packed hierarchy back with the time it took.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { packedBuffers, packHierarchy } from './packed.js';
import { prepareDocument, type PrepareSettings } from './prepare.js';
import type { PrepareReply, PrepareRequest } from './preparer.js';

const settings = workerData as PrepareSettings;
const port = parentPort!;

port.on('message', (request: PrepareRequest) => {
  const started = performance.now();
  try {
    const { ids, hierarchy } = prepareDocument(request.text, settings);
    const packed = packHierarchy(ids, hierarchy);
    const reply: PrepareReply = { id: request.id, packed, ms: performance.now() - started };
    port.postMessage(reply, packedBuffers(packed));
  } catch (error) {
    const reply: PrepareReply = { id: request.id, error: error instanceof Error ? error.message : String(error), ms: performance.now() - started };
    port.postMessage(reply);
  }
});
