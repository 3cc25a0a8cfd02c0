/** FINCH_SMTP_URL and FINCH_MAIL_FROM: checked at start, the URL (a password) never in a message. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('email settings', () => {
  it('is off without FINCH_SMTP_URL', () => {
    expect(loadConfig({}).smtp).toBeUndefined();
  });

  it('takes smtp:// and smtps:// URLs with credentials and a From address', () => {
    expect(loadConfig({ FINCH_SMTP_URL: 'smtps://user:p%40ss@mail.example.com:465', FINCH_MAIL_FROM: 'Finch <support@example.com>' }).smtp).toEqual({
      url: 'smtps://user:p%40ss@mail.example.com:465',
      from: 'Finch <support@example.com>',
    });
    expect(loadConfig({ FINCH_SMTP_URL: 'smtp://localhost:25', FINCH_MAIL_FROM: 'support@example.com' }).smtp?.from).toBe('support@example.com');
  });

  it.each([
    ['http://user:hunter22@mail.example.com', /FINCH_SMTP_URL must be smtp:\/\/.*not shown/],
    ['smtp//user:hunter22@mail.example.com', /FINCH_SMTP_URL must be/],
    ['smtp://', /FINCH_SMTP_URL must be/],
  ])('refuses %s without showing it', (url, message) => {
    const load = () => loadConfig({ FINCH_SMTP_URL: url, FINCH_MAIL_FROM: 'a@example.com' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
    expect(load).not.toThrow(/hunter22/);
  });

  it('needs a From address with a URL, and a URL with a From address', () => {
    expect(() => loadConfig({ FINCH_SMTP_URL: 'smtp://mail.example.com' })).toThrow(/needs FINCH_MAIL_FROM/);
    expect(() => loadConfig({ FINCH_SMTP_URL: 'smtp://mail.example.com', FINCH_MAIL_FROM: 'not an address' })).toThrow(
      /FINCH_MAIL_FROM must be an email address/,
    );
    expect(() => loadConfig({ FINCH_SMTP_URL: 'smtp://mail.example.com', FINCH_MAIL_FROM: 'a@example.com\r\nBcc: x@example.com' })).toThrow(/FINCH_MAIL_FROM/);
    expect(() => loadConfig({ FINCH_MAIL_FROM: 'a@example.com' })).toThrow(/FINCH_SMTP_URL is not/);
  });
});
