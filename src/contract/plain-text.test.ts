import { describe, expect, it } from 'vitest';
import { plainTextToHtml } from './plain-text.js';

describe('plain text as a message body', () => {
  it('escapes markup, so what was typed is shown as typed', () => {
    expect(plainTextToHtml('<img src=x onerror=alert(1)> & "quotes"')).toBe('<p>&lt;img src=x onerror=alert(1)&gt; &amp; "quotes"</p>');
  });

  it('makes a paragraph of each blank-line-separated block and keeps line breaks', () => {
    expect(plainTextToHtml('  Hello,\nthanks for waiting.\n\n \nBest,\nHana  ')).toBe('<p>Hello,<br />thanks for waiting.</p><p>Best,<br />Hana</p>');
  });

  it('gives nothing for blank text (a message may then be attachments only)', () => {
    expect(plainTextToHtml(' \n\n ')).toBe('');
  });
});
