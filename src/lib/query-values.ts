/**
 * A request target's query with some parameters' values replaced, for the logs (secret-looking
 * parameters, src/http/logging.ts) and for spans (all but Finch's own ids and options,
 * src/telemetry/traceable.ts). Names stay as sent; a name that is not valid percent-encoding is
 * judged as sent.
 *
 * @param query the query without its `?`, e.g. `user_id=pat%40example.com&limit=5`
 * @param hidden whether a parameter's (decoded) name has its value replaced
 * @param censor what replaces the value, e.g. `[redacted]`
 */
export function censorQueryValues(query: string, hidden: (name: string) => boolean, censor: string): string {
  return query
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals === -1) return pair;
      const sent = pair.slice(0, equals);
      let name = sent;
      try {
        name = decodeURIComponent(sent);
      } catch {
        // Judged as sent.
      }
      return hidden(name) ? `${sent}=${censor}` : pair;
    })
    .join('&');
}
