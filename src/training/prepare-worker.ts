/**
 * The preparation worker thread: receives document texts, prepares each (tokenize, hierarchy,
 * names) and posts the compact hierarchy back with the CPU time it took.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { prepareText, type PrepareSettings } from './prepare.js';
import type { PrepareReply, PrepareRequest } from './preparer.js';

const settings = workerData as PrepareSettings;
const port = parentPort!;

port.on('message', (request: PrepareRequest) => {
  const started = performance.now();
  let reply: PrepareReply;
  try {
    const hierarchy = prepareText(request.text, settings);
    reply = { id: request.id, hierarchy, ms: performance.now() - started };
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error), ms: performance.now() - started };
  }
  port.postMessage(reply);
});
