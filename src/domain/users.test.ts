import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { addFormats } from '../lib/ajv-formats.js';
import { memoryContext } from '../../test/support/domain.js';
import { finEmail, finPhotoUrl, userChanges, userText } from './users.js';

/** The contract's own formats (JSON Schema `email` and `uri`, ajv-formats' full mode, as the checker and the tests read answers). */
const ajv = addFormats(new Ajv2020({ strict: false }));
const isEmail = ajv.compile({ type: 'string', format: 'email' });
const isUri = ajv.compile({ type: 'string', format: 'uri' });

describe('user fields from Fin', () => {
  it('are trimmed, and blank is null; absent and null pass', () => {
    expect(userText('  Jane \n')).toBe('Jane');
    expect(userText('JANE@EXAMPLE.COM ')).toBe('JANE@EXAMPLE.COM');
    expect(userText('')).toBeNull();
    expect(userText(' \t')).toBeNull();
    expect(userText(null)).toBeNull();
    expect(userText(undefined)).toBeUndefined();
  });

  it('change a stored user as kept: a loose email or photo is kept as text, never refused', async () => {
    const ctx = memoryContext();
    const user = (
      await ctx.store.transaction((tx) =>
        tx.insertUser({ objectId: null, name: 'Sam', email: 'sam@example.com', photoUrl: null, attributes: {}, at: ctx.now().toISOString() }),
      )
    ).value;
    expect(userChanges(user, { name: ' Sam ', email: ' jane@example', photo_url: 'avatars/x.png' })).toEqual({
      email: 'jane@example',
      photoUrl: 'avatars/x.png',
    });
    expect(userChanges(user, { email: '' })).toEqual({ email: null });
    expect(userChanges(user, { email: 'sam@example.com ' })).toEqual({});
  });
});

describe('what Finch answers Fin for a stored email or photo', () => {
  const emails = [
    'jane@example.com',
    'JANE@EXAMPLE.COM',
    "o'brien+tag@mail.example.co.uk",
    'jane@example',
    'not an email',
    'jane@@example.com',
    'jane@exa_mple.com',
    '.jane@example.com',
    'jane@example.com.',
    'jane@-example.com',
    'jäne@example.com',
    'ＪＡＮＥ@example.com',
    'jane@exampl\u212a.com',
    'jane@127.0.0.1',
    '',
  ];
  it.each(emails)('%j is answered only when it is an address in the contract’s format', (email) => {
    const answered = finEmail(email);
    expect(answered === null || answered === email).toBe(true);
    if (answered !== null) expect(isEmail(answered)).toBe(true);
  });

  it('answers the addresses people write', () => {
    expect(finEmail('JANE@EXAMPLE.COM')).toBe('JANE@EXAMPLE.COM');
    expect(finEmail("o'brien+tag@mail.example.co.uk")).toBe("o'brien+tag@mail.example.co.uk");
    expect(finEmail('jane@example')).toBeNull();
    expect(finEmail(null)).toBeNull();
  });

  const photos = [
    'https://example.com/jane.jpg',
    'http://example.com/jane.jpg',
    'HTTPS://EXAMPLE.COM/a%20b.png?size=2#x',
    '/avatars/jane.jpg',
    'avatars/jane.jpg',
    '//example.com/jane.jpg',
    'https:/example.com/jane.jpg',
    'https://example.com/a b.png',
    'https://example.com/a%zz.png',
    'https://exa mple.com/',
    'javascript:alert(1)',
    'data:image/png;base64,AAAA',
    'ftp://example.com/a.png',
    'https://例え.jp/a.png',
    'https://',
  ];
  it.each(photos)('%j is answered only when it is an absolute http(s) URL in the contract’s format', (photo) => {
    const answered = finPhotoUrl(photo);
    expect(answered === null || answered === photo).toBe(true);
    if (answered !== null) expect(isUri(answered)).toBe(true);
  });

  it('answers absolute http(s) URLs and nothing else', () => {
    expect(finPhotoUrl('https://example.com/jane.jpg')).toBe('https://example.com/jane.jpg');
    expect(finPhotoUrl('http://example.com/jane.jpg')).toBe('http://example.com/jane.jpg');
    expect(finPhotoUrl('/avatars/jane.jpg')).toBeNull();
    expect(finPhotoUrl('javascript:alert(1)')).toBeNull();
    expect(finPhotoUrl(null)).toBeNull();
  });
});
