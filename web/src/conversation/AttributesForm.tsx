import type { FormEvent, ReactNode } from 'react';
import { useChange } from '../resources/change.js';
import { keys } from '../resources/keys.js';
import { ErrorNote } from '../ui/ErrorNote.js';
import { attributesPatch } from './attributes-patch.js';

/**
 * An editable panel of the conversation `conversationId` shows: its own fields, then the
 * attributes; `save` gets the form and the attribute changes (none when nothing changed), and the
 * conversation is read again. Keyed by `stamp` so that a newer version resets the fields.
 */
export function AttributesForm(props: {
  conversationId: string;
  label: string;
  title: string;
  stamp: string;
  attributes: Record<string, unknown>;
  submit: string;
  save: (form: FormData, attributes: ReturnType<typeof attributesPatch>) => Promise<unknown>;
  children: ReactNode;
}) {
  const { run, error } = useChange(keys.conversation(props.conversationId));
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    void run(() => props.save(form, attributesPatch(form, props.attributes)));
  };
  return (
    <form className="panel" aria-label={props.label} onSubmit={submit} key={props.stamp}>
      <h2>{props.title}</h2>
      {props.children}
      <Attributes attributes={props.attributes} />
      <ErrorNote error={error} />
      <button type="submit">{props.submit}</button>
    </form>
  );
}

/** Attributes as form fields: each value editable (empty removes it), and one new key and value. */
function Attributes({ attributes }: { attributes: Record<string, unknown> }) {
  const entries = Object.entries(attributes);
  return (
    <fieldset className="attributes">
      <legend>Attributes (an empty value removes one)</legend>
      {entries.map(([key, value]) => (
        <label key={key}>
          {key}
          <input name={`attribute:${key}`} defaultValue={typeof value === 'string' ? value : JSON.stringify(value)} />
        </label>
      ))}
      <div className="new-attribute">
        <input name="new-attribute-key" aria-label="New attribute name" placeholder="New attribute" />
        <input name="new-attribute-value" aria-label="New attribute value" placeholder="Value" />
      </div>
    </fieldset>
  );
}
