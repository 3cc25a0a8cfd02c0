/**
 * Where `http/files.ts` finds the signed-file use case; the use cases of files live in `files/`,
 * one per file. (A single re-export, not a barrel: nothing in `files/` imports this module.)
 */
export { openSignedFile } from './files/open-signed-file.js';
export type { FileContext } from './files/file-signing.js';
