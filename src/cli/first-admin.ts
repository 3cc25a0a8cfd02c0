/**
 * The first admin's password, outside the demo: written to `<FINCH_DATA_DIR>/first-admin.txt`,
 * readable by its owner only, instead of the standard output, which is the log stream (journald,
 * docker logs, a log shipper). The banner says where the file is.
 */
import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

export const FIRST_ADMIN_EMAIL = 'admin@finch.local';
export const FIRST_ADMIN_FILE = 'first-admin.txt';

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
 * Writes the first admin's sign-in to the file, created with mode 0600 (never readable by others,
 * not even for a moment: the mode is given at creation, not changed after). A file left by an
 * earlier installation is replaced. A failure is returned, not thrown: the server still starts,
 * and the banner says how to set a password instead.
 */
export function keepFirstAdmin(dataDir: string, admin: FirstAdmin, publicUrl: string): { writtenTo: string; error?: string } {
  const file = path.join(dataDir, FIRST_ADMIN_FILE);
  const text = [
    `Finch's first admin, created ${new Date().toISOString()}. Sign in at ${publicUrl}/`,
    `Email:     ${admin.email}`,
    `Password:  ${admin.password}`,
    '',
    'Delete this file once you have signed in. A lost password is replaced with:',
    `  finch reset-password --agent ${admin.email}`,
    '',
  ].join('\n');
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    rmSync(file, { force: true });
    // 'wx': created by this call, so the mode applies (an existing file would keep its own).
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    return { writtenTo: file };
  } catch (error) {
    return { writtenTo: file, error: (error as Error).message };
  }
}
