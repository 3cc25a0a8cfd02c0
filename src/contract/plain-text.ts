/**
 * Plain text as a message body Fin accepts (spec §6: the supported HTML subset): escaped, one `<p>`
 * per blank-line-separated block, line breaks kept as `<br />`: the form Finch's sanitizer keeps
 * unchanged, so what is stored is what was sent. The inbox's composer and the Fin emulator's
 * messenger both turn what people type into bodies this way, so this module imports nothing and runs
 * in the browser as well as in Node.
 */
export function plainTextToHtml(text: string): string {
  // Text, never an attribute value: quotes need no escaping.
  const escapeHtml = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((block) => block.trim())
    .filter((block) => block !== '')
    .map((block) => `<p>${escapeHtml(block).replace(/\n/g, '<br />')}</p>`)
    .join('');
}
