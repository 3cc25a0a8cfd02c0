function initials(name: string | null | undefined): string {
  const words = (name ?? '?').trim().split(/\s+/);
  return ((words[0]?.[0] ?? '?') + (words.length > 1 ? (words.at(-1)?.[0] ?? '') : '')).toUpperCase();
}

/**
 * The photo to show for `photoUrl`: only an absolute HTTPS URL. Fin may send any text there (a
 * relative path, an http URL), which Finch keeps as text but never loads in the inbox.
 */
export function httpsPhotoUrl(photoUrl: string | null | undefined): string | null {
  if (!photoUrl) return null;
  try {
    const url = new URL(photoUrl);
    return url.protocol === 'https:' && url.host !== '' ? url.href : null;
  } catch {
    return null;
  }
}

/** A person's photo (HTTPS only), else their initials; Fin's says Fin. */
export function Avatar({ name, photoUrl, fin }: { name: string | null | undefined; photoUrl?: string | null; fin?: boolean }) {
  const photo = httpsPhotoUrl(photoUrl);
  if (photo) return <img className="avatar" src={photo} alt="" />;
  return (
    <span className={fin ? 'avatar fin' : 'avatar'} aria-hidden="true">
      {fin ? 'Fin' : initials(name)}
    </span>
  );
}
