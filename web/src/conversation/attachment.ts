/** A linked file's type and name, from its URL. */
export function attachmentOf(url: string): { filename: string; filetype: string } {
  const name = decodeURIComponent(new URL(url, location.href).pathname.split('/').pop() || 'attachment');
  return { filename: name, filetype: /\.([A-Za-z0-9]{1,10})$/.exec(name)?.[1]?.toLowerCase() ?? 'file' };
}
