/**
 * Email over SMTP with nodemailer (FINCH_SMTP_URL: `smtp://` or `smtps://`, credentials in the
 * URL). One pooled transport per process (a few kept connections); a message's Message-ID is given by the caller and stable
 * across retries, so a resend after a crash is recognisably the same email.
 */
import nodemailer from 'nodemailer';
import type { EmailMessage } from './email-message.js';

export interface OutgoingEmail extends EmailMessage {
  to: string;
  /** `<…@…>`, the same on every attempt. */
  messageId: string;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<void>;
  close(): void;
}

export function smtpMailer(options: { url: string; from: string; timeoutMs?: number }): Mailer {
  const timeout = options.timeoutMs ?? 15_000;
  // Pooled: a new SMTP connection costs ~100 ms before the first byte of mail (measured against
  // smtp-server on loopback, bench/notify-latency.ts); a kept one sends the next email in a few ms.
  const transport = nodemailer.createTransport({
    url: options.url,
    pool: true,
    maxConnections: 4,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    async send(email) {
      await transport.sendMail({ from: options.from, to: email.to, subject: email.subject, text: email.text, html: email.html, messageId: email.messageId });
    },
    close: () => transport.close(),
  };
}

/** An error's message without the SMTP URL's credentials, for the log and the stored outcome. */
export function scrubbed(message: string, smtpUrl: string | undefined): string {
  if (!smtpUrl) return message;
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    return message;
  }
  let out = message.split(smtpUrl).join('[FINCH_SMTP_URL]');
  for (const secret of [url.password, decodeURIComponent(url.password)].filter((value) => value.length >= 3)) out = out.split(secret).join('[redacted]');
  return out.slice(0, 500);
}
