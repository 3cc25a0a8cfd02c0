/**
 * Message content rules (spec §5): bodies are sanitized on the way in to the HTML Fin supports,
 * attachments must be HTTPS, and a message needs a body, an attachment, or both.
 */
import sanitizeHtml from 'sanitize-html';
import type { AttachmentInput } from '../contract/requests.js';
import { unprocessable } from './errors.js';
import type { Attachment } from './model.js';

const FIN_HTML: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'h1', 'h2', 'b', 'i', 'a', 'img', 'br', 'code', 'ul', 'ol', 'li'],
  allowedAttributes: { a: ['href'], img: ['src', 'alt'] },
  allowedSchemes: ['https', 'http', 'mailto'],
  allowedSchemesByTag: { img: ['https', 'http'] },
  allowProtocolRelative: false,
  // Fin shows h3–h6 as h2; strong/em are the usual spellings of b/i.
  transformTags: { h3: 'h2', h4: 'h2', h5: 'h2', h6: 'h2', strong: 'b', em: 'i' },
  // Unknown tags are dropped but their text kept; these are dropped with everything inside.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'template', 'title', 'head', 'iframe', 'object'],
  disallowedTagsMode: 'discard',
};

const VISIBLE_ONLY: sanitizeHtml.IOptions = { allowedTags: ['img'], allowedAttributes: { img: ['src'] } };

/** The body reduced to Fin's HTML, or null when nothing visible is left of it. */
export function sanitizeBody(body: string | null | undefined): string | null {
  if (body === null || body === undefined) return null;
  const clean = sanitizeHtml(body, FIN_HTML).trim();
  const visible = sanitizeHtml(clean, VISIBLE_ONLY).replace(/&nbsp;|\s/g, '');
  return visible === '' ? null : clean;
}

/** Checks every attachment is an HTTPS URL and fills in a display name and type when absent. */
export function normalizeAttachments(inputs: readonly AttachmentInput[] | null | undefined, pointer: string): Attachment[] {
  return (inputs ?? []).map((input, index) => {
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      throw unprocessable('invalid_attachment_url', `Attachment ${index} has no valid URL.`, `${pointer}/${index}/url`);
    }
    if (url.protocol !== 'https:') {
      throw unprocessable(
        'insecure_attachment_url',
        `Attachment ${index} must be an HTTPS URL; got ${url.protocol.replace(':', '')}.`,
        `${pointer}/${index}/url`,
      );
    }
    const filename = input.filename?.trim() || lastPathSegment(url) || 'attachment';
    const filetype = input.filetype?.trim() || extension(filename);
    return { url: url.href, filename, filetype };
  });
}

/** Spec §5: an empty message (no body, no attachment) is refused. */
export function requireContent(body: string | null, attachments: readonly Attachment[], pointer: string): void {
  if (body === null && attachments.length === 0) {
    throw unprocessable(
      'empty_message',
      'A message needs a body, at least one attachment, or both (after sanitizing, the body was empty).',
      pointer,
    );
  }
}

function lastPathSegment(url: URL): string {
  const segment = url.pathname.split('/').filter(Boolean).pop() ?? '';
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** A file name's extension, lower-cased, or '' when it has none. */
export function extension(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot > 0 ? filename.slice(dot + 1).toLowerCase() : '';
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Sanitized HTML as plain text (for previews and search), whitespace collapsed. */
export function htmlToText(html: string | null): string {
  if (html === null) return '';
  return sanitizeHtml(html.replace(/<(br|\/p|\/h[1-6]|\/li)\s*\/?>/gi, ' $&'), { allowedTags: [], allowedAttributes: {} })
    .replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (entity, name: string) => {
      if (name.startsWith('#')) {
        const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
      }
      return ENTITIES[name.toLowerCase()] ?? entity;
    })
    .replace(/\s+/g, ' ')
    .trim();
}
