import { loadConfig } from '../config.js';
import { openFinch, type Finch } from '../finch.js';

/** A mistake in how a command was called: reported in one line, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Runs a command against Finch's data, as configured by the environment, and closes it after. */
export async function withFinch<T>(work: (finch: Finch) => Promise<T>): Promise<T> {
  const finch = await openFinch(loadConfig());
  try {
    return await work(finch);
  } finally {
    await finch.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
