/**
 * Files agents attach to replies. Fin accepts only HTTPS attachment URLs, so uploads need Finch's
 * public URL to be HTTPS; each file is then served at a signed URL that expires, so a link that
 * leaks stops working and nobody can guess their way to other files.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../auth/secrets.js';
import { extension } from '../content.js';
import { FinError, notFound, unprocessable } from '../errors.js';
import { newId } from '../ids.js';
import type { Agent } from '../model.js';
import type { FileStore, StoredFile } from '../../store/file-port.js';

export interface FileContext {
  files: FileStore;
  /** FINCH_PUBLIC_URL: where Fin and browsers reach Finch. */
  publicUrl: string;
  /** How long a file URL works (FINCH_ATTACHMENT_URL_TTL). */
  fileUrlTtlSeconds: number;
  now: () => Date;
}

export interface UploadedFile {
  file: StoredFile;
  url: string;
  filetype: string;
  expiresAt: string;
}

export async function uploadFile(ctx: FileContext, agent: Agent, input: { filename: string; contentType: string; data: Buffer }): Promise<UploadedFile> {
  if (!ctx.publicUrl.startsWith('https://')) {
    throw unprocessable(
      'https_required',
      "Attachments need Finch's public URL to be HTTPS (FINCH_PUBLIC_URL): Fin accepts only HTTPS attachment URLs. Link to a file hosted elsewhere instead.",
    );
  }
  if (input.data.length === 0) throw unprocessable('empty_file', 'The file is empty.');
  const filename = cleanFilename(input.filename);
  const file: StoredFile = {
    id: newId('file'),
    filename,
    contentType: cleanContentType(input.contentType),
    size: input.data.length,
    uploadedBy: agent.id,
    createdAt: ctx.now().toISOString(),
  };
  await ctx.files.saveFile({ ...file, data: input.data });
  const expires = Math.floor(ctx.now().getTime() / 1000) + ctx.fileUrlTtlSeconds;
  return {
    file,
    url: `${ctx.publicUrl}/files/${file.id}/${urlSegment(filename)}?expires=${expires}&signature=${await sign(ctx, file.id, expires)}`,
    filetype: filetypeOf(filename, file.contentType),
    expiresAt: new Date(expires * 1000).toISOString(),
  };
}

/** The file behind a signed URL: 403 for a wrong signature, 410 once it expired, 404 if gone. */
export async function openSignedFile(ctx: FileContext, id: string, expires: number, signature: string): Promise<StoredFile & { data: Buffer }> {
  if (!safeEqual(signature, await sign(ctx, id, expires))) throw new FinError('forbidden', 'bad_signature', 'This file link is not valid.');
  if (expires * 1000 < ctx.now().getTime()) throw new FinError('gone', 'link_expired', 'This file link has expired.');
  const file = await ctx.files.readFile(id);
  if (!file) throw notFound('file', id);
  return file;
}

async function sign(ctx: FileContext, id: string, expires: number): Promise<string> {
  return createHmac('sha256', await ctx.files.fileSigningKey()).update(`${id}:${expires}`).digest('base64url');
}

/** Longest file name kept, in characters (code points, so a pair is never cut in half). */
const FILENAME_CHARACTERS = 200;

/**
 * The name to show: the last path segment, without control characters, trimmed, at most
 * `FILENAME_CHARACTERS`; `attachment` when nothing is left (empty, spaces only, `a/`).
 */
export function cleanFilename(name: string): string {
  // eslint-disable-next-line no-control-regex
  const base = name.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return Array.from(base || 'attachment').slice(0, FILENAME_CHARACTERS).join('');
}

/**
 * Longest name segment in a file's URL, in characters once percent-encoded: Fastify refuses a path
 * parameter longer than its `maxParamLength` (100 by default) with 414, so a longer segment (a
 * 40-character Japanese name is 360) would be a link that does not open.
 */
const URL_SEGMENT_CHARACTERS = 100;

/**
 * The name as the last segment of a file's URL. The name is only there for people (the id and the
 * signature find the file; the download is named by Content-Disposition), so it may differ from the
 * display name:
 * - `.` and `..` are dot segments, which every browser and HTTP client (WHATWG URL) removes,
 *   turning `/files/<id>/..` into `/files/`, a 404: they become `attachment`. Percent-encoded,
 *   every other name is one plain segment (`%2e%2e` typed as a name is sent as `%252e%252e`,
 *   which is not a dot segment);
 * - a name longer than `URL_SEGMENT_CHARACTERS` encoded is shortened, keeping its extension.
 */
export function urlSegment(filename: string): string {
  let segment = encodeURIComponent(filename);
  if (segment.length > URL_SEGMENT_CHARACTERS) {
    const ext = extension(filename);
    const suffix = ext !== '' && ext.length <= 10 ? encodeURIComponent(`.${ext}`) : '';
    const stem = suffix === '' ? filename : filename.slice(0, -(ext.length + 1));
    segment = '';
    for (const character of stem) {
      const encoded = encodeURIComponent(character);
      if (segment.length + encoded.length + suffix.length > URL_SEGMENT_CHARACTERS) break;
      segment += encoded;
    }
    segment += suffix;
  }
  return segment === '' || segment === '.' || segment === '..' ? 'attachment' : segment;
}

/** The content-type to keep: the header as sent, or `application/octet-stream` when absent or unusable. */
function cleanContentType(contentType: string): string {
  const type = contentType.trim();
  return type !== '' && type.length <= 255 && /^[\x21-\x7e][\x20-\x7e]*$/.test(type) ? type : 'application/octet-stream';
}

function filetypeOf(filename: string, contentType: string): string {
  return extension(filename) || contentType.split('/')[1]?.split(';')[0]?.toLowerCase() || 'file';
}
