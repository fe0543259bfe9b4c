/** Seeded randomness for benchmarks: the engine's PRNG and Zipf sampler. */
export { seededRandom, zipfSampler } from '../engine/random.js';
