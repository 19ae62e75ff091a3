// The local SMTP sink of `npm start` without SMTP settings: a real SMTP server (package smtp-server) on 127.0.0.1
// that keeps the last mails in memory (shown at GET /mail by api/pages/mail-inbox.ts), so a new installation sees its
// reminders arrive without a mail relay. Also the parser the tests use to read what arrived.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { errorFields, logger } from './logger.js';

export interface ReceivedMail {
  /** Running number within this process. */
  seq: number;
  receivedAt: Date;
  /** SMTP envelope: who the mail was actually delivered to. */
  envelopeFrom: string;
  envelopeTo: string[];
  /** Decoded header values (lower-case names; the first one where a header repeats). */
  headers: Record<string, string>;
  subject: string;
  messageId: string;
  text: string;
  html: string;
  /** The message as received (UTF-8 view of the bytes). */
  raw: string;
}

// ---------------------------------------------------------------------------------------------------------------
// A small MIME reader: enough for what nodemailer sends (headers with encoded words, multipart/alternative with
// quoted-printable or base64 parts). Bytes are handled as latin1 strings, so no byte is lost before charset decoding.

function decodeBytes(bytes: Buffer, charset: string): string {
  try {
    return new TextDecoder(charset || 'utf-8').decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}

function quotedPrintable(input: string, header = false): Buffer {
  const text = header ? input.replace(/_/g, ' ') : input.replace(/=\r?\n/g, '');
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      out.push(text.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** RFC 2047 encoded words; adjacent ones are joined before decoding (a character may span two of them). */
export function decodeHeaderValue(value: string): string {
  const word = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;
  let result = '';
  let last = 0;
  let pending: { charset: string; bytes: Buffer[] } | null = null;
  const flush = () => {
    if (pending) result += decodeBytes(Buffer.concat(pending.bytes), pending.charset);
    pending = null;
  };
  for (let m = word.exec(value); m; m = word.exec(value)) {
    const between = value.slice(last, m.index);
    const charset = m[1]!.split('*')[0]!.toLowerCase();
    if (!pending || pending.charset !== charset || between.trim() !== '') {
      flush();
      result += Buffer.from(between, 'latin1').toString('utf8');
    }
    const bytes = m[2]!.toUpperCase() === 'B' ? Buffer.from(m[3]!, 'base64') : quotedPrintable(m[3]!, true);
    pending ??= { charset, bytes: [] };
    pending.bytes.push(bytes);
    last = m.index + m[0].length;
  }
  flush();
  return result + Buffer.from(value.slice(last), 'latin1').toString('utf8');
}

function splitHeadAndBody(entity: string): { head: string; body: string } {
  const match = /\r?\n\r?\n/.exec(entity);
  if (!match) return { head: entity, body: '' };
  return { head: entity.slice(0, match.index), body: entity.slice(match.index + match[0].length) };
}

function parseHeaders(head: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!(name in headers)) headers[name] = line.slice(colon + 1).trim();
  }
  return headers;
}

function contentType(value: string | undefined): { type: string; params: Record<string, string> } {
  const [type, ...rest] = (value ?? 'text/plain').split(';');
  const params: Record<string, string> = {};
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq > 0) params[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim().replace(/^"|"$/g, '');
  }
  return { type: type!.trim().toLowerCase(), params };
}

function collectParts(entity: string, found: { text?: string; html?: string }): void {
  const { head, body } = splitHeadAndBody(entity);
  const headers = parseHeaders(head);
  const { type, params } = contentType(headers['content-type']);
  if (type.startsWith('multipart/') && params.boundary) {
    const delimiter = `--${params.boundary}`;
    const sections = body.split(new RegExp(`\\r?\\n?${delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \\t]*\\r?\\n?`));
    // sections[0] is the preamble, the last one the epilogue after the closing delimiter.
    for (const section of sections.slice(1, -1)) collectParts(section, found);
    return;
  }
  if (type !== 'text/plain' && type !== 'text/html') return;
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const bytes =
    encoding === 'quoted-printable'
      ? quotedPrintable(body)
      : encoding === 'base64'
        ? Buffer.from(body.replace(/\s+/g, ''), 'base64')
        : Buffer.from(body, 'latin1');
  const decoded = decodeBytes(bytes, params.charset ?? 'utf-8');
  if (type === 'text/plain') found.text ??= decoded;
  else found.html ??= decoded;
}

/** Reads a received message (raw bytes) into headers, subject and the text/HTML bodies. */
export function parseMail(raw: Buffer): Pick<ReceivedMail, 'headers' | 'subject' | 'messageId' | 'text' | 'html' | 'raw'> {
  const entity = raw.toString('latin1');
  const headers = Object.fromEntries(
    Object.entries(parseHeaders(splitHeadAndBody(entity).head)).map(([k, v]) => [k, decodeHeaderValue(v)]),
  );
  const found: { text?: string; html?: string } = {};
  collectParts(entity, found);
  return {
    headers,
    subject: headers.subject ?? '',
    messageId: headers['message-id'] ?? '',
    text: found.text ?? '',
    html: found.html ?? '',
    raw: raw.toString('utf8'),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The SMTP receiver shared by the sink and the tests' server.

/**
 * An SMTP server that accepts every mail (no AUTH, no STARTTLS: it only listens on loopback) and hands it over
 * parsed. Not started: the caller listens.
 */
export function createSmtpReceiver(onMail: (mail: Omit<ReceivedMail, 'seq'>) => void, options: { banner?: string } = {}): SMTPServer {
  return new SMTPServer({
    banner: options.banner ?? 'KIM Casework SMTP-Senke',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: 10 * 1024 * 1024,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const mailFrom = session.envelope.mailFrom;
        onMail({
          receivedAt: new Date(),
          envelopeFrom: mailFrom ? mailFrom.address : '',
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          ...parseMail(Buffer.concat(chunks)),
        });
        callback();
      });
    },
  });
}

export interface MailSink {
  host: string;
  port: number;
  /** Oldest first, at most `keep`. */
  mails(): ReceivedMail[];
  stop(): Promise<void>;
}

async function listen(server: SMTPServer, port: number, host: string): Promise<number> {
  // smtp-server re-emits its socket's errors on itself: without a listener there, a taken port (another `npm start`)
  // is an unhandled 'error' event that kills the process before the fallback below can take a free port.
  const failed = once(server, 'error').then(([error]) => Promise.reject(error as Error));
  const net = server.listen(port, host);
  await Promise.race([once(net, 'listening'), once(net, 'error').then(([error]) => Promise.reject(error as Error)), failed]);
  failed.catch(() => undefined);
  return (net.address() as AddressInfo).port;
}

/**
 * Starts the sink on 127.0.0.1. With `fallbackToFreePort`, a taken port (another `npm start`, a test run) is not
 * fatal: the sink takes a free one, and the mailer is pointed wherever it ended up.
 */
export async function startSmtpSink(options: { port: number; host?: string; keep?: number; fallbackToFreePort?: boolean }): Promise<MailSink> {
  const host = options.host ?? '127.0.0.1';
  const keep = options.keep ?? 200;
  const received: ReceivedMail[] = [];
  let seq = 0;
  const create = () => {
    const receiver = createSmtpReceiver((mail) => {
      received.push({ seq: ++seq, ...mail });
      if (received.length > keep) received.splice(0, received.length - keep);
    });
    // Errors of the sink's sockets must not end the process (an unhandled 'error' event would).
    receiver.on('error', (error: Error) => logger.warn(errorFields(error), 'local SMTP sink'));
    return receiver;
  };
  let server = create();
  let port: number;
  try {
    port = await listen(server, options.port, host);
  } catch (error) {
    if (!options.fallbackToFreePort || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    server = create();
    port = await listen(server, 0, host);
  }
  return {
    host,
    port,
    mails: () => [...received],
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
