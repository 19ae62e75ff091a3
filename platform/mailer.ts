// The one nodemailer transport of a process (worker side), from the SMTP settings of the installation or pointed at
// the local SMTP sink of `npm start`. Activities get it injected; nothing else opens SMTP connections.
import nodemailer from 'nodemailer';

export interface MailerOptions {
  host: string;
  port: number;
  /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
  secure: boolean;
  user?: string;
  password?: string;
  /** Sender, e.g. `KIM Casework <kim@kreis-euskirchen.example>`. */
  from: string;
  /** Base URL of the app for links in mails. */
  appUrl: string;
  /** The local sink and test servers speak plain SMTP only. */
  ignoreTLS?: boolean;
}

export interface OutgoingMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Message-ID with angle brackets; the same notification always gets the same one. */
  messageId: string;
  headers?: Record<string, string>;
}

export interface SendResult {
  accepted: string[];
  rejected: string[];
  response: string;
}

export interface Mailer {
  readonly from: string;
  readonly appUrl: string;
  /** host:port, for the start-up summary and error messages. */
  readonly server: string;
  send(mail: OutgoingMail): Promise<SendResult>;
  /** Message-ID for a stable key (e.g. a notification id), on the sender's domain. */
  messageIdFor(key: string): string;
  close(): void;
}

/** Domain of the sender address, for Message-IDs (`kim@kreis-euskirchen.example` → `kreis-euskirchen.example`). */
function senderDomain(from: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from.trim());
  return match?.[1] ?? 'kim-casework.invalid';
}

export function createMailer(options: MailerOptions): Mailer {
  const transport = nodemailer.createTransport({
    host: options.host,
    port: options.port,
    secure: options.secure,
    ignoreTLS: options.ignoreTLS ?? false,
    ...(options.user ? { auth: { user: options.user, pass: options.password ?? '' } } : {}),
    // Well below the send activity's start-to-close timeout (1 minute): a hanging server fails this attempt
    // and the next one is scheduled, instead of a timed-out attempt still talking SMTP in the background.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  const domain = senderDomain(options.from);
  return {
    from: options.from,
    appUrl: options.appUrl.replace(/\/+$/, ''),
    server: `${options.host}:${options.port}`,
    async send(mail) {
      const info = await transport.sendMail({
        from: options.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        headers: mail.headers,
      });
      const asStrings = (list: unknown): string[] =>
        Array.isArray(list) ? list.map((a) => (typeof a === 'string' ? a : (a as { address: string }).address)) : [];
      return { accepted: asStrings(info.accepted), rejected: asStrings(info.rejected), response: String(info.response ?? '') };
    },
    messageIdFor(key) {
      // Message-ID's left part is a dot-atom: the notification id's ':' separators become '.'.
      return `<${key.replace(/[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]/g, '.')}@${domain}>`;
    },
    close() {
      transport.close();
    },
  };
}

/**
 * A refusal that retrying cannot cure: the server answered 5xx to the recipients or the message itself. Everything
 * else (connection refused, timeouts, 4xx, authentication) is an outage or a configuration fix away, so it is retried.
 */
export function isPermanentSmtpError(error: unknown): boolean {
  const e = error as { code?: string; responseCode?: number };
  return (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') && typeof e.responseCode === 'number' && e.responseCode >= 500;
}
