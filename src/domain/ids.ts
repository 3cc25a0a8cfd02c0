import { randomBytes } from 'node:crypto';

/**
 * Ids are a type prefix and a ULID (`conv_01JD3Q5X9V8Y2K7H4M6N1P0R3S`): readable in logs, unique
 * without coordination between nodes, and increasing with time, so that "ties broken by id" in
 * message order follows creation order within a process.
 */
export type IdPrefix = 'user' | 'agent' | 'conv' | 'msg' | 'tok' | 'fcl' | 'canned' | 'file' | 'act' | 'conn' | 'ntf';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let lastTime = -1;
let lastRandom = new Uint8Array(10);

export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  return `${prefix}_${ulid(now)}`;
}

export function ulid(now: number): string {
  if (now <= lastTime) {
    // Same millisecond (or a clock step back): keep ids increasing by bumping the random part.
    increment(lastRandom);
  } else {
    lastTime = now;
    lastRandom = new Uint8Array(randomBytes(10));
  }
  return encodeTime(lastTime) + encodeRandom(lastRandom);
}

function increment(bytes: Uint8Array): void {
  for (let i = bytes.length - 1; i >= 0; i--) {
    bytes[i] = (bytes[i]! + 1) & 0xff;
    if (bytes[i] !== 0) return;
  }
}

function encodeTime(time: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[time % 32]! + out;
    time = Math.floor(time / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array): string {
  // 80 bits as 16 base-32 digits, most significant first.
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let out = '';
  for (let i = 0; i < 16; i++) {
    out = ALPHABET[Number(bits & 31n)]! + out;
    bits >>= 5n;
  }
  return out;
}
