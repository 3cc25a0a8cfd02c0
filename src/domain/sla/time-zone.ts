/**
 * The one spelling of a business-hours time zone (docs/decisions.md, "Business hours"): the IANA
 * name as the runtime's time-zone database (Intl, which luxon uses too) spells it, so `utc` is
 * stored as `UTC` and `europe/berlin` as `Europe/Berlin`. A legacy name (`EST5EDT`, `US/Eastern`,
 * `CET`, `GMT`) is stored as the geographic zone the database maps it to (`America/New_York`,
 * `Europe/Brussels`, `UTC`), so what the admin reads back is a zone a person recognises; a name the
 * database keeps as its own legacy zone (older time-zone data) is refused.
 */

/** Geographic IANA names: Area/Location. */
const GEOGRAPHIC = /^(Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific)\/[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)?$/;
/** What Finch stores: geographic names, fixed offsets (Etc/GMT+5) and UTC. */
const STORABLE = new RegExp(`^UTC$|^Etc\\/[A-Za-z0-9+-]+$|${GEOGRAPHIC.source}`);

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
  return STORABLE.test(resolved) ? resolved : undefined;
}
