/**
 * A seeded pseudo-random generator (mulberry32), so that a run's requests can be repeated exactly
 * and two data sets of different sizes are sampled the same way.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A whole number from 0 to n - 1. */
export function randomIndex(random: () => number, n: number): number {
  return Math.floor(random() * n);
}
