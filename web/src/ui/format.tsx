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

export function when(iso: string): string {
  const date = new Date(iso);
  const today = new Date();
  return date.toDateString() === today.toDateString()
    ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

function initials(name: string | null | undefined): string {
  const words = (name ?? '?').trim().split(/\s+/);
  return ((words[0]?.[0] ?? '?') + (words.length > 1 ? (words.at(-1)?.[0] ?? '') : '')).toUpperCase();
}

export function Avatar({ name, photoUrl, fin }: { name: string | null | undefined; photoUrl?: string | null; fin?: boolean }) {
  if (photoUrl?.startsWith('https://')) return <img className="avatar" src={photoUrl} alt="" />;
  return (
    <span className={fin ? 'avatar fin' : 'avatar'} aria-hidden="true">
      {fin ? 'Fin' : initials(name)}
    </span>
  );
}
