// GET /mail: the mails the local SMTP sink (platform/smtp-sink.ts) received, newest first, as a German page. Only
// mounted when the sink runs (`npm start` without SMTP settings); it shows test mails of this process — staff
// addresses, case ids, providers and deadlines — so only to signed-in coordination and admins.
import { Router } from 'express';
import type { MailSink } from '../../platform/smtp-sink.js';
import { canReadLocalMailInbox } from '../operations/access-policy.js';
import { errorPage, layout, requirePageUser, send, signedInUser } from './kit.js';
import { renderPage } from './views.js';

const timeFormat = new Intl.DateTimeFormat('de-DE', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'Europe/Berlin' });

export function mailInboxRouter(sink: MailSink): Router {
  const router = Router();
  router.get('/mail', requirePageUser, (req, res) => {
    if (!canReadLocalMailInbox(signedInUser(req))) {
      return errorPage(req, res, 403, 'Keine Berechtigung', 'Den lokalen Posteingang sehen nur die Koordination und die Verwaltung.');
    }
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
    const title = 'Posteingang (lokale Test-Mails)';
    send(res, 200, renderPage('mail/inbox', { ...layout(req, title), mails, smtp: `${sink.host}:${sink.port}` }));
  });
  return router;
}
