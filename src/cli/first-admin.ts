/**
 * The first start's secrets, outside the demo: the first admin's password and Fin's OAuth client
 * are written to files under FINCH_DATA_DIR readable by their owner only, instead of the standard
 * output, which is the log stream (journald, docker logs, a log shipper). The banner says where.
 */
import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

export const FIRST_ADMIN_EMAIL = 'admin@finch.local';
export const FIRST_ADMIN_FILE = 'first-admin.txt';
export const FIN_CLIENT_FILE = 'fin-client.txt';

export interface FirstAdmin {
  email: string;
  password: string;
}

/** The file's path when it is there (left from an earlier start), else undefined. */
export function firstAdminFile(dataDir: string): string | undefined {
  const file = path.join(dataDir, FIRST_ADMIN_FILE);
  return existsSync(file) ? file : undefined;
}

/**
 * Writes the first admin's sign-in to the file (see `keepSecretFile`). A failure is returned, not
 * thrown: the server still starts, and the banner says how to set a password instead.
 */
export function keepFirstAdmin(dataDir: string, admin: FirstAdmin, publicUrl: string): { writtenTo: string; error?: string } {
  return keepSecretFile(dataDir, FIRST_ADMIN_FILE, [
    `Finch's first admin, created ${new Date().toISOString()}. Sign in at ${publicUrl}/`,
    `Email:     ${admin.email}`,
    `Password:  ${admin.password}`,
    '',
    'Delete this file once you have signed in. A lost password is replaced with:',
    `  finch reset-password --agent ${admin.email}`,
  ]);
}

/**
 * Writes the OAuth client made for Fin on the first start (what to paste into Fin's settings) to
 * `<FINCH_DATA_DIR>/fin-client.txt`, for the same reason as the admin's password: the secret is a
 * credential and the standard output is a log stream. A failure is returned, not thrown.
 */
export function keepFinClient(dataDir: string, client: { clientId: string; clientSecret: string }, tokenUrl: string): { writtenTo: string; error?: string } {
  return keepSecretFile(dataDir, FIN_CLIENT_FILE, [
    `The OAuth client Finch made for Fin, created ${new Date().toISOString()}. Paste these into Fin's settings:`,
    `Token URL:      ${tokenUrl}`,
    `Client ID:      ${client.clientId}`,
    `Client secret:  ${client.clientSecret}`,
    '',
    'Delete this file once Fin has them; `finch create-client` makes another client.',
  ]);
}

/**
 * Writes `lines` to `<dataDir>/<name>`, created with mode 0600 (never readable by others, not even
 * for a moment: the mode is given at creation, not changed after). A file left by an earlier
 * installation is replaced.
 */
function keepSecretFile(dataDir: string, name: string, lines: string[]): { writtenTo: string; error?: string } {
  const file = path.join(dataDir, name);
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    rmSync(file, { force: true });
    // 'wx': created by this call, so the mode applies (an existing file would keep its own).
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, `${lines.join('\n')}\n`);
    } finally {
      closeSync(fd);
    }
    return { writtenTo: file };
  } catch (error) {
    return { writtenTo: file, error: (error as Error).message };
  }
}
