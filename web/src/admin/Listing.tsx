import { Table } from '../ui/Table.js';

/** A table of named things (tokens, clients), each with a Revoke button while it can be revoked. */
export function Listing<T extends { id: string; name: string }>(props: {
  items: T[] | undefined;
  columns: string[];
  cells: (item: T) => string[];
  revoke: (item: T) => false | (() => void);
}) {
  return (
    <Table columns={props.columns}>
      {props.items?.map((item) => {
        const revoke = props.revoke(item);
        return (
          <tr key={item.id}>
            {props.cells(item).map((cell, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a cell's place is its column
              <td key={index}>{cell}</td>
            ))}
            <td>
              {revoke && (
                <button type="button" onClick={revoke}>
                  Revoke {item.name}
                </button>
              )}
            </td>
          </tr>
        );
      })}
    </Table>
  );
}
