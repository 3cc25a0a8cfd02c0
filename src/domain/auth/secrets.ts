/**
 * Secrets are generated here, stored only as hashes and compared in constant time.
 *
 * Tokens and client secrets are 256 random bits, so a single SHA-256 is enough to make a stolen
 * table useless and keeps the per-request check cheap. Passwords are chosen by people and get
 * scrypt, a deliberately slow, memory-hard hash with a per-password salt.
 */
import { createHash, hash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** Prefixes make a leaked secret recognizable (and findable by secret scanners). */
export const PREFIX = {
  clientSecret: 'fcs_',
  accessToken: 'fat_',
  apiToken: 'fpt_',
} as const;

export function generateSecret(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

export function hashToken(secret: string): string {
  // One call, not a Hash object: this runs on every authenticated request.
  return hash('sha256', secret, 'hex');
}

/** Constant-time comparison of two strings of any length. */
export function safeEqual(a: string, b: string): boolean {
  // Hashing first gives equal-length inputs, so the length check cannot leak either.
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}

/**
 * OWASP's minimum for scrypt (Password Storage Cheat Sheet): N=2^17, r=8, p=1. One hash takes
 * 128 × N × r = 128 MiB (plus a few KiB) and ~0.3 s of one core. Hashes keep their parameters, so
 * older ones still verify and are replaced at the next sign-in (`needsRehash`).
 */
export const SCRYPT_PARAMS = { N: 2 ** 17, r: 8, p: 1 } as const;
/** Node refuses a computation needing more than this; 2^17 × 8 needs just over 128 MiB. */
const SCRYPT_MAXMEM = 256 * 1024 * 1024;
/**
 * Hashes computed at once, per process. Each holds 128 MiB, and scrypt runs on libuv's threadpool
 * (4 threads by default), which file reads and DNS lookups share: a burst of sign-ins must neither
 * take 512 MiB nor stall the rest of Finch. The others wait their turn.
 */
const CONCURRENT_HASHES = 2;
/**
 * Hashes that may wait for their turn, per process. One more is refused at once
 * (`PasswordHashingBusyError`) instead of queueing: with 16 waiting, the last starts after about
 * 8 hash times (~3 s at ~0.35 s each), and a burst of attempts cannot make every sign-in wait
 * longer than that.
 */
export const MAX_WAITING_HASHES = 16;
const KEY_LENGTH = 32;

/**
 * A password hash was refused because `MAX_WAITING_HASHES` already wait. Nothing was computed or
 * changed; the same request may be sent again after `retryAfterSeconds`.
 */
export class PasswordHashingBusyError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many passwords are being checked right now; try again in ${retryAfterSeconds} s.`);
    this.name = 'PasswordHashingBusyError';
  }
}

let running = 0;
const waiting: (() => void)[] = [];
/** How long one hash takes here, in ms (a moving average), to say when the queue will have room. */
let hashMs = 350;

async function scryptLimited(password: string, salt: Buffer, length: number, options: { N: number; r: number; p: number }): Promise<Buffer> {
  if (running >= CONCURRENT_HASHES) {
    if (waiting.length >= MAX_WAITING_HASHES)
      throw new PasswordHashingBusyError(Math.max(1, Math.ceil(((waiting.length / CONCURRENT_HASHES) * hashMs) / 1000)));
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
  running++;
  const started = performance.now();
  try {
    return await new Promise((resolve, reject) =>
      scrypt(password, salt, length, { ...options, maxmem: SCRYPT_MAXMEM }, (error, key) => (error ? reject(error) : resolve(key))),
    );
  } finally {
    if (options.N === SCRYPT_PARAMS.N) hashMs = 0.8 * hashMs + 0.2 * (performance.now() - started);
    running--;
    waiting.shift()?.();
  }
}

/**
 * A stored hash at today's parameters that no password matches (random salt and key), for checking
 * a password when there is no account: verifying against it costs exactly what verifying a real
 * agent's password costs, through the same queue, so the answer's timing does not tell whether an
 * email is an agent's. Made without hashing, so it cannot itself be refused or wait.
 */
export function unmatchablePasswordHash(): string {
  return [
    'scrypt',
    SCRYPT_PARAMS.N,
    SCRYPT_PARAMS.r,
    SCRYPT_PARAMS.p,
    randomBytes(16).toString('base64url'),
    randomBytes(KEY_LENGTH).toString('base64url'),
  ].join('$');
}

/**
 * `scrypt$N$r$p$salt$hash`, so that the cost can be raised later without breaking old hashes.
 * Throws `PasswordHashingBusyError` when `MAX_WAITING_HASHES` already wait (as `verifyPassword`).
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptLimited(password, salt, KEY_LENGTH, SCRYPT_PARAMS);
  return ['scrypt', SCRYPT_PARAMS.N, SCRYPT_PARAMS.r, SCRYPT_PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

interface StoredHash {
  params: { N: number; r: number; p: number };
  salt: Buffer;
  hash: Buffer;
}

/** A stored hash, or undefined when it is malformed or asks for a cost Finch would not compute. */
function parseHash(stored: string): StoredHash | undefined {
  const [scheme, n, r, p, salt, hash, ...rest] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash || rest.length > 0) return undefined;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const powerOfTwo = Number.isInteger(params.N) && params.N >= 2 && (params.N & (params.N - 1)) === 0;
  if (!powerOfTwo || !Number.isInteger(params.r) || !Number.isInteger(params.p) || params.r < 1 || params.p < 1 || params.p > 16) return undefined;
  if (128 * params.N * params.r > SCRYPT_MAXMEM - 1024 * 1024) return undefined;
  return { params, salt: Buffer.from(salt, 'base64url'), hash: Buffer.from(hash, 'base64url') };
}

/** Whether `password` matches `stored`. Throws `PasswordHashingBusyError` when `MAX_WAITING_HASHES` already wait. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed || parsed.hash.length === 0) return false;
  const key = await scryptLimited(password, parsed.salt, parsed.hash.length, parsed.params);
  return timingSafeEqual(key, parsed.hash);
}

/** Whether a stored hash was made with other parameters than today's (it is replaced at sign-in). */
export function needsRehash(stored: string): boolean {
  const parsed = parseHash(stored);
  return (
    !parsed ||
    parsed.params.N !== SCRYPT_PARAMS.N ||
    parsed.params.r !== SCRYPT_PARAMS.r ||
    parsed.params.p !== SCRYPT_PARAMS.p ||
    parsed.hash.length !== KEY_LENGTH
  );
}
