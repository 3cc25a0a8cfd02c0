function initials(name: string | null | undefined): string {
  const words = (name ?? '?').trim().split(/\s+/);
  return ((words[0]?.[0] ?? '?') + (words.length > 1 ? (words.at(-1)?.[0] ?? '') : '')).toUpperCase();
}

/** A person's photo (HTTPS only), else their initials; Fin's says Fin. */
export function Avatar({ name, photoUrl, fin }: { name: string | null | undefined; photoUrl?: string | null; fin?: boolean }) {
  if (photoUrl?.startsWith('https://')) return <img className="avatar" src={photoUrl} alt="" />;
  return (
    <span className={fin ? 'avatar fin' : 'avatar'} aria-hidden="true">
      {fin ? 'Fin' : initials(name)}
    </span>
  );
}
