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
