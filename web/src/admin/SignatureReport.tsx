import { useSignatureReport } from '../resources/admin.js';
import { ErrorNote } from '../ui/ErrorNote.js';
import { Table } from '../ui/Table.js';
import { when } from '../ui/when.js';

const MODES = {
  off: 'Not checked: FINCH_SIGNING_SECRET is not set, so requests to the Fin API need no signature.',
  report:
    'Report mode (FINCH_SIGNATURE_MODE=report): every request is accepted, and those not signed in the canonical form are listed here. Once the recent ones all matched a form, set FINCH_SIGNATURE_MODE=enforce.',
  enforce: 'Enforced: a request whose signature matches none of the accepted forms is refused.',
} as const;

const OUTCOMES = {
  other_form: 'matched another form',
  no_match: 'matched no form',
  missing: 'not signed',
  bad_timestamp: 'unreadable timestamp',
  stale: 'timestamp too old or new',
} as const;

/** How Fin's requests are checked (FINCH_SIGNATURE_MODE), and the last ones not signed in the canonical form. */
export function SignatureReport() {
  const { data, error } = useSignatureReport();
  return (
    <section aria-label="Request signatures">
      <h2>Request signatures</h2>
      <ErrorNote error={error ? error.message : null} />
      {data && (
        <>
          <p>{MODES[data.mode]}</p>
          <p role="status">
            {data.total === 0
              ? 'No request reported.'
              : `${data.total} ${data.total === 1 ? 'request' : 'requests'} reported since ${when(data.since ?? data.recent[0]?.at ?? '')}, on every Finch node.`}
          </p>
          {data.recent.length > 0 && (
            <Table className="signature-report" columns={['When', 'Request', 'Signature', 'Form matched', 'Canonical string Finch computed']}>
              {data.recent.map((entry, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: entries have no id, and two may match in every field; the list is replaced whole
                <tr key={index}>
                  <td>{when(entry.at)}</td>
                  <td>
                    {entry.method} {entry.path}
                  </td>
                  <td>
                    {OUTCOMES[entry.outcome]} ({entry.digest})
                  </td>
                  <td>{entry.matched_form ?? '—'}</td>
                  <td className="text">
                    <code>{entry.canonical ?? '—'}</code>
                  </td>
                  <td />
                </tr>
              ))}
            </Table>
          )}
        </>
      )}
    </section>
  );
}
