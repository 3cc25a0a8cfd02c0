/**
 * The one spelling of a business-hours time zone (docs/decisions.md, "Business hours"): the IANA
 * name as the runtime's time-zone database (Intl, which luxon uses too) spells it, so `utc` is
 * stored as `UTC` and `europe/berlin` as `Europe/Berlin`. A legacy name (`EST5EDT`, `US/Eastern`,
 * `CET`, `GMT`) is stored as the geographic zone the database maps it to (`America/New_York`,
 * `Europe/Brussels`, `UTC`), so what the admin reads back is a zone a person recognises; a name the
 * database keeps as its own legacy zone (older time-zone data) is refused.
 *
 * The four POSIX-rule zones are links to places since IANA tzdata 2024b (its `backward` file), but
 * runtimes disagree: Node 20's ICU resolves `EST5EDT` to `America/New_York`, Node 24's keeps
 * `EST5EDT`. They follow IANA's links here, so both runtimes store the same zone.
 */

/** Geographic IANA names: Area/Location. */
const GEOGRAPHIC = /^(Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific)\/[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)?$/;
/** What Finch stores: geographic names, fixed offsets (Etc/GMT+5) and UTC. */
const STORABLE = new RegExp(`^UTC$|^Etc\\/[A-Za-z0-9+-]+$|${GEOGRAPHIC.source}`);

/** IANA's links (tzdata 2024b, `backward`) for the POSIX-rule zones some runtimes keep as their own. */
const POSIX_RULE_ZONES: Record<string, string> = {
  EST5EDT: 'America/New_York',
  CST6CDT: 'America/Chicago',
  MST7MDT: 'America/Denver',
  PST8PDT: 'America/Los_Angeles',
};

/** The stored spelling of `name`; undefined when it is not a time zone, or only a legacy one. */
export function canonicalTimeZone(name: string): string | undefined {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  // The name as given, when it is already geographic (the database may prefer an older spelling
  // of the same zone, e.g. Asia/Calcutta for Asia/Kolkata: the current IANA name is kept).
  if (GEOGRAPHIC.test(name) && name.toLowerCase() !== resolved.toLowerCase()) return name;
  if (STORABLE.test(resolved)) return resolved;
  return POSIX_RULE_ZONES[resolved.toUpperCase()];
}
