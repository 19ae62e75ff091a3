// Shared harness (harness/): helpers that tests, benchmarks, drills and the history-recording scripts share. No vitest here.
// A real SMTP server on loopback (package smtp-server, the receiver of platform/smtp-sink.ts): records
// every mail it accepts, and can be stopped and started again on the same port to play an SMTP outage.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { SMTPServer } from 'smtp-server';
import { createMailer, type Mailer } from '../platform/mailer.js';
import { createSmtpReceiver, type ReceivedMail } from '../platform/smtp-sink.js';

export interface TestSmtpServer {
  host: string;
  port: number;
  /** Everything received since the start of the file, across restarts, oldest first. */
  readonly mails: ReceivedMail[];
  /** Close the port: connections are refused until start(). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Waits until `predicate` holds for the received mails (polling, real time). */
  waitFor(predicate: (mails: ReceivedMail[]) => boolean, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** A mailer of the app pointed at this server. */
  mailer(options?: { from?: string; appUrl?: string }): Mailer;
  close(): Promise<void>;
}

export async function startTestSmtpServer(): Promise<TestSmtpServer> {
  const host = '127.0.0.1';
  const mails: ReceivedMail[] = [];
  let seq = 0;
  let server: SMTPServer | undefined;
  let port = 0;

  const start = async () => {
    if (server) return;
    const s = createSmtpReceiver((mail) => mails.push({ seq: ++seq, ...mail }), { banner: 'KIM Test-SMTP' });
    const net = s.listen(port, host);
    await once(net, 'listening');
    port = (net.address() as AddressInfo).port;
    server = s;
  };
  const stop = async () => {
    const s = server;
    server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await start();

  const mailers: Mailer[] = [];
  return {
    host,
    get port() {
      return port;
    },
    mails,
    stop,
    start,
    async waitFor(predicate, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      while (!predicate(mails)) {
        if (Date.now() > until) {
          throw new Error(`timed out waiting for mail; received: ${JSON.stringify(mails.map((m) => [m.envelopeTo, m.subject]))}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      return mails;
    },
    mailer(options = {}) {
      const mailer = createMailer({
        host,
        port,
        secure: false,
        ignoreTLS: true,
        from: options.from ?? 'KIM Casework <kim@kreis-euskirchen.example>',
        appUrl: options.appUrl ?? 'http://kim.test',
      });
      mailers.push(mailer);
      return mailer;
    },
    async close() {
      for (const m of mailers) m.close();
      await stop();
    },
  };
}
