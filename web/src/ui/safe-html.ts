import DOMPurify from 'dompurify';

/** What Fin supports in a message (spec §5); the server sanitizes on the way in, this on the way out. */
const ALLOWED_TAGS = ['p', 'h1', 'h2', 'b', 'strong', 'i', 'em', 'a', 'img', 'br', 'code', 'ul', 'ol', 'li'];

/**
 * Links and images keep only absolute http(s) URLs (and mailto: for links), as the server's
 * sanitizer does (docs/decisions.md). DOMPurify's own URI check strips white space first and
 * accepts `https:/path` or `https:path`, which a browser resolves against Finch itself, so each
 * value is read as a browser reads it (tabs and line breaks removed, ends trimmed) and must
 * name its host (`//` or `\\` after the scheme, which browsers treat alike).
 */
const ABSOLUTE_URL = /^(?:https?:[/\\]{2}[^/\\]|mailto:)/i;
DOMPurify.addHook('uponSanitizeAttribute', (_node, data) => {
  if (data.attrName !== 'href' && data.attrName !== 'src') return;
  if (!ABSOLUTE_URL.test(data.attrValue.replace(/[\t\n\r]/g, '').trim())) data.keepAttr = false;
});

export function safeHtml(html: string): string {
  return DOMPurify.sanitize(html, { ALLOWED_TAGS, ALLOWED_ATTR: ['href', 'src', 'alt', 'title'], ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i });
}
