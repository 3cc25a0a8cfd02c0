/**
 * What a file is called: the name shown (cleanFilename), the name in its URL (urlSegment), its
 * content-type and its Fin `filetype`.
 */
import { extension } from '../../content.js';

/** Longest file name kept, in characters (code points, so a pair is never cut in half). */
const FILENAME_CHARACTERS = 200;

/**
 * The name to show: the last path segment, without control characters, trimmed, at most
 * `FILENAME_CHARACTERS`; `attachment` when nothing is left (empty, spaces only, `a/`).
 */
export function cleanFilename(name: string): string {
  // eslint-disable-next-line no-control-regex
  const base = name
    .split(/[\\/]/)
    .pop()!
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim();
  return Array.from(base || 'attachment')
    .slice(0, FILENAME_CHARACTERS)
    .join('');
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
export function cleanContentType(contentType: string): string {
  const type = contentType.trim();
  return type !== '' && type.length <= 255 && /^[\x21-\x7e][\x20-\x7e]*$/.test(type) ? type : 'application/octet-stream';
}

/** Fin's `filetype` of an attachment: the name's extension, else the content-type's subtype, else `file`. */
export function filetypeOf(filename: string, contentType: string): string {
  return extension(filename) || contentType.split('/')[1]?.split(';')[0]?.toLowerCase() || 'file';
}
