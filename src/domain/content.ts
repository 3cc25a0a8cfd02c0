/**
 * Message content rules (spec §5): bodies are sanitized on the way in to the HTML Fin supports,
 * attachments must be HTTPS, and a message needs a body, an attachment, or both.
 */
import { Parser } from 'htmlparser2';
import sanitizeHtml from 'sanitize-html';
import type { AttachmentInput } from '../contract/requests.js';
import { unprocessable } from './errors.js';
import type { Attachment } from './model.js';

/**
 * Where a link may point (`<a href>`) and where an image may come from (`<img src>`): only absolute
 * http(s) URLs, and `mailto:` for links (spec §5's allow-list). Anything else (relative,
 * protocol-relative, `javascript:`, `data:`…) loses the attribute, the element stays.
 */
const LINK_SCHEMES = ['http', 'https', 'mailto'] as const;
const IMAGE_SCHEMES = ['http', 'https'] as const;

const FIN_HTML: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'h1', 'h2', 'b', 'i', 'a', 'img', 'br', 'code', 'ul', 'ol', 'li'],
  allowedAttributes: { a: ['href'], img: ['src', 'alt'] },
  allowedSchemes: [...LINK_SCHEMES],
  allowedSchemesByTag: { img: [...IMAGE_SCHEMES] },
  allowProtocolRelative: false,
  // Fin shows h3–h6 as h2; strong/em are the usual spellings of b/i.
  transformTags: {
    h3: 'h2',
    h4: 'h2',
    h5: 'h2',
    h6: 'h2',
    strong: 'b',
    em: 'i',
    a: keepAbsoluteUrl('href', LINK_SCHEMES),
    img: keepAbsoluteUrl('src', IMAGE_SCHEMES),
  },
  // An image with nowhere to come from shows nothing: it goes, so it cannot count as content.
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
  // Unknown tags are dropped but their text kept; these are dropped with everything inside.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'template', 'title', 'head', 'iframe', 'object'],
  disallowedTagsMode: 'discard',
};

/** A transform that keeps `attribute` only as an absolute URL of one of `schemes`, rewritten as `URL.href`. */
function keepAbsoluteUrl(attribute: string, schemes: readonly string[]): sanitizeHtml.Transformer {
  return (tagName, attribs) => {
    const kept: sanitizeHtml.Attributes = {};
    for (const [name, value] of Object.entries(attribs)) {
      const url = name === attribute ? absoluteUrl(value, schemes) : value;
      if (url !== undefined) kept[name] = url;
    }
    return { tagName, attribs: kept };
  };
}

/**
 * The URL a browser would follow, when it is absolute and of one of `schemes`; otherwise undefined.
 * `value` is the attribute as the browser sees it (entities already decoded). Read as a browser
 * does (WHATWG URL): leading and trailing spaces and controls are ignored, tabs and newlines
 * anywhere are removed, the scheme is case-insensitive. http(s) must be followed by `//`: on an
 * https page a browser reads `https:/api` or `https:\\host`-less forms relative to the page, so
 * only `scheme://…` is absolute everywhere. The result is the parsed URL's `href`, so what is kept
 * is unambiguous (`https://evil.com\x` is stored as `https://evil.com/x`).
 */
export function absoluteUrl(value: string, schemes: readonly string[]): string | undefined {
  // eslint-disable-next-line no-control-regex
  const text = value.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined || !schemes.includes(scheme)) return undefined;
  if (scheme !== 'mailto' && !/^https?:\/\//i.test(text)) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  return url.protocol === `${scheme}:` ? url.href : undefined;
}

/**
 * Every tag but an image, in sanitized HTML: there `<` and `>` occur only as tag delimiters
 * (sanitize-html escapes them in text and attribute values), so a regular expression is exact and
 * spares a second parse of up to 256 KiB.
 */
const TAGS_BUT_IMAGES = /<(?!img[\s/>])[^>]*>/g;

/**
 * The body reduced to Fin's HTML, or null when nothing visible is left of it. HTML nesting deeper
 * than `MAX_HTML_DEPTH` is 422 `body_too_deep` (at `pointer`, when given), before it is parsed.
 */
export function sanitizeBody(body: string | null | undefined, pointer?: string): string | null {
  if (body === null || body === undefined) return null;
  if (nestsDeeperThan(body, MAX_HTML_DEPTH)) {
    throw unprocessable('body_too_deep', `The body nests HTML elements more than ${MAX_HTML_DEPTH} deep.`, pointer);
  }
  const clean = sanitizeHtml(body, FIN_HTML).trim();
  const visible = clean.replace(TAGS_BUT_IMAGES, '').replace(/&nbsp;|\s/g, '');
  return visible === '' ? null : clean;
}

/**
 * Deeper HTML is refused: no message nests more than a few levels, and the HTML parser's time
 * grows with the square of the depth of open elements (a 256 KiB body of 87,000 unclosed `<b>`
 * held the event loop for 6 s).
 */
export const MAX_HTML_DEPTH = 100;

/** Void elements never hold others; these close an open one of the same name (`<li><li>`). */
const VOID = new Set([
  'area',
  'base',
  'basefont',
  'bgsound',
  'br',
  'col',
  'embed',
  'frame',
  'hr',
  'img',
  'input',
  'keygen',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);
const CLOSES_ITS_LIKE = new Set(['p', 'li', 'dd', 'dt', 'option', 'optgroup', 'tr', 'td', 'th', 'rb', 'rt', 'rp']);
/** A start or end tag as the HTML tokenizer sees it: `<`, an optional `/`, a letter, then the name. */
const TAG = /<(\/?)([a-zA-Z][^\t\n\f\r />]*)/g;

/**
 * Whether the elements left open at some point number more than `limit`, counted in one linear
 * pass. It may count more than a browser would (tags inside comments or `<script>`, elements a
 * parser closes implicitly), never fewer, so it errs towards refusing odd HTML, not a slow parse.
 */
export function nestsDeeperThan(html: string, limit: number): boolean {
  const open: string[] = [];
  for (const [, end, rawName] of html.matchAll(TAG)) {
    const name = rawName!.toLowerCase();
    if (end) {
      const at = open.lastIndexOf(name);
      if (at >= 0) open.length = at;
      continue;
    }
    if (VOID.has(name)) continue;
    if (CLOSES_ITS_LIKE.has(name) && open.at(-1) === name) open.pop();
    open.push(name);
    if (open.length > limit) return true;
  }
  return false;
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
    throw unprocessable('empty_message', 'A message needs a body, at least one attachment, or both (after sanitizing, the body was empty).', pointer);
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

/**
 * Elements whose content is not text: sanitize-html's `nonTextTags`, the rule this text was first
 * made with (migration 0003's frozen copy), so previews and search words stay what they were.
 */
const NOT_TEXT = new Set(['script', 'style', 'textarea', 'option', 'xmp']);
/** Where words that run together in the markup are apart on the page. */
const BLOCK_ENDS = /<(br|\/p|\/h[1-6]|\/li)\s*\/?>/gi;

/**
 * HTML as plain text (for previews, search words and notification excerpts): the text of the
 * elements, entities decoded, whitespace collapsed. The same text sanitize-html with no tags
 * allowed gives once its escaping is undone (migration 0003's rule; test/search/html-to-text.test.ts
 * holds them to each other), read straight off htmlparser2's events, the parser sanitize-html
 * itself uses. sanitize-html merges its options and builds a frame per element on every call, for
 * text it then escapes and this unescaped again: with a preview per conversation of every queue
 * page, that was about 6 % of all the server allocated under bench/soak.ts's mix on PostgreSQL
 * (bench/README.md).
 */
export function htmlToText(html: string | null): string {
  if (html === null) return '';
  let text = '';
  // > 0 inside an element whose content is not text: the depth of elements open within it.
  let skipping = 0;
  const parser = new Parser(
    {
      // On the whole tag, as sanitize-html does, not on its name: an open tag cut off by the end of
      // the input (`a<option/`) never completes, and what follows its name is then still text.
      onopentag(name) {
        if (skipping > 0) skipping++;
        else if (NOT_TEXT.has(name)) skipping = 1;
      },
      onclosetag() {
        if (skipping > 0) skipping--;
      },
      ontext(chunk) {
        if (skipping === 0) text += chunk;
      },
    },
    { decodeEntities: true },
  );
  parser.end(html.replace(BLOCK_ENDS, ' $&'));
  return text.replace(/\s+/g, ' ').trim();
}
