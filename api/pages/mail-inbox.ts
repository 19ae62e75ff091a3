// GET /mail: the mails the local SMTP sink (platform/smtp-sink.ts) received, newest first, as a German page. Only
// mounted when the sink runs (`npm start` without SMTP settings); it shows test mails of this process, no case data
// beyond what the reminders themselves carry, and needs no sign-in (like the sink, it is for a local installation).
import { Router } from 'express';
import type { MailSink } from '../../platform/smtp-sink.js';
import { renderPage } from './views.js';

const timeFormat = new Intl.DateTimeFormat('de-DE', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'Europe/Berlin' });

export function mailInboxRouter(sink: MailSink): Router {
  const router = Router();
  router.get('/mail', (_req, res) => {
    const mails = sink
      .mails()
      .reverse()
      .map((m) => ({
        seq: m.seq,
        receivedAt: timeFormat.format(m.receivedAt),
        from: m.headers.from ?? m.envelopeFrom,
        to: m.envelopeTo.join(', '),
        subject: m.subject || '(ohne Betreff)',
        messageId: m.messageId,
        text: m.text,
        html: m.html,
      }));
    res
      .type('html')
      .set('Cache-Control', 'no-store')
      .send(renderPage('mail/inbox', { title: 'Posteingang (lokale Test-Mails)', mails, smtp: `${sink.host}:${sink.port}` }));
  });
  return router;
}
