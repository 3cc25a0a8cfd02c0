/** Runs `send` while a timer measures how long the event loop of this process (the server's) was held. */
export async function withLoopWatch<T>(send: () => Promise<T>): Promise<{ result: T; maxStallMs: number }> {
  let maxStallMs = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    maxStallMs = Math.max(maxStallMs, now - last - 5);
    last = now;
  }, 5);
  try {
    const result = await send();
    return { result, maxStallMs };
  } finally {
    clearInterval(timer);
  }
}
