/**
 * One spelling per email address, so that every place an email is a key (sign-in, its rate limit,
 * inviting or creating an agent, the uniqueness of agents' emails) agrees on which account an
 * input names. A variant that reaches an account must count against that account's limit.
 *
 * The rule (docs/decisions.md, "Email addresses as keys"):
 * 1. Unicode NFKC: compatibility forms (fullwidth `ａ`, ligatures, NBSP and the ideographic space)
 *    become their plain equivalents, so look-alike spellings of one address are one key.
 * 2. Invisible characters (Unicode Default_Ignorable_Code_Point: zero-width space and joiners, the
 *    BOM, soft hyphens, variation selectors) are removed wherever they are: no address contains one
 *    on purpose, and people paste them from documents.
 * 3. White space (Unicode White_Space: tabs, line breaks, NBSP, U+2000–U+200A, U+3000…) is trimmed
 *    from both ends. Inside an address it is left as is (such an address is refused or matches
 *    nobody).
 * 4. Lower-cased with Unicode rules. The local part is case-sensitive in RFC 5321, but no provider
 *    people use treats it so, and Finch has always matched emails in any case.
 */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;
const EDGE_SPACE = /^\p{White_Space}+|\p{White_Space}+$/gu;

export function normalizeEmail(input: string): string {
  return input.normalize('NFKC').replace(INVISIBLE, '').replace(EDGE_SPACE, '').toLowerCase().normalize('NFKC');
}

/**
 * What an agent's address must look like once normalized (docs/decisions.md, "Agents' email
 * addresses"): one rule for the agent API's invites and `finch create-agent`, checked after
 * `normalizeEmail`, so a padded, fullwidth or otherwise look-alike spelling is judged by the
 * address it stands for.
 *
 * - at most 254 characters (RFC 5321 §4.5.3.1.3: a path of 256 less its angle brackets);
 * - one `@`; the local part 1–64 characters of dot-separated atoms of RFC 5322 `atext` (ASCII
 *   letters, digits and ``!#$%&'*+/=?^_`{|}~-``); no quoted local parts (no one invites an agent by
 *   `"a b"@example.com`);
 * - a domain of two or more dot-separated labels, each 1–63 ASCII letters, digits or hyphens, not
 *   starting or ending with a hyphen (an internationalized domain in its `xn--` form), the last
 *   one holding a letter (no IP literals).
 *
 * ASCII only, as JSON Schema's `email` format: agents' emails are sent to Fin (the agents list,
 * typing events), whose contract types them as email addresses. Look-alike spellings (fullwidth,
 * the Kelvin sign, ligatures) have become ASCII by normalization and are accepted.
 */
const ATOM = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export type EmailVerdict = { ok: true; email: string } | { ok: false; email: string; detail: string };

/** The agent's email in its one spelling, or why it is not an address, for a person to read. */
export function judgeAgentEmail(input: string): EmailVerdict {
  const email = normalizeEmail(input);
  const refuse = (detail: string): EmailVerdict => ({ ok: false, email, detail });
  if (email.length === 0) return refuse('The email is empty.');
  if (email.length > 254) return refuse(`The email is ${email.length} characters long; at most 254.`);
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (at < 0 || local.includes('@')) return refuse('The email must have exactly one @.');
  if (local.length === 0 || local.length > 64 || !local.split('.').every((atom) => ATOM.test(atom))) {
    return refuse("The part before the @ must be 1 to 64 letters a–z, digits or !#$%&'*+/=?^_`{|}~- in dot-separated pieces, without spaces.");
  }
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label)) || !/[a-z]/.test(labels.at(-1)!)) {
    return refuse('The part after the @ must be a domain name such as example.com (an internationalized one in its xn-- form).');
  }
  return { ok: true, email };
}
