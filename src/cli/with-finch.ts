import { loadConfig } from '../config.js';
import { openFinch, type Finch } from '../finch.js';

/** Runs a command against Finch's data, as configured by the environment, and closes it after. */
export async function withFinch<T>(work: (finch: Finch) => Promise<T>): Promise<T> {
  const finch = await openFinch(loadConfig());
  try {
    return await work(finch);
  } finally {
    await finch.close();
  }
}
