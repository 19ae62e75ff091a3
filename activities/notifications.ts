// Mails the notification outbox (Notification rows written by recordCaseEvents / recordHandoverEvents).
//
// deliverNotification({ id }) sends one row, at most once:
//   pending ──claim (conditional UPDATE, attempts+1)──▶ sending ──SMTP accepted──▶ sent (sentAt)
//                                                        │ temporary SMTP error: back to pending, lastError; the
//                                                        │ activity throws and Temporal retries with backoff
//                                                        └ permanent refusal (5xx) or no recipient: failed, lastError
//   pending ──act-on mail whose recipients all chose the daily digest──▶ digest (mailed in the digest instead)
// A row that is `sent` or claimed (`sending`) is never mailed again, whoever calls. Trade-off: a worker that dies
// after the claim and before the final UPDATE leaves the row in `sending`; whether the relay had accepted the mail
// cannot be known then, and rather than risk a duplicate the row stays `sending` (visible in the outbox as
// "Zustellung ungewiss"). The window is one SMTP conversation; an SMTP outage itself never ends there, it resets
// the row to `pending`, so an outage delays mail and loses none.
//
// Mails carry no personal data of the client: case/handover reference and link, deadline, due date.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { DEADLINE_LABELS, formatDateDe, organisationShortName, type DeadlineKind } from '../domain/index.js';
import type { Database } from '../platform/database.js';
import { isPermanentSmtpError, type Mailer } from '../platform/mailer.js';
import { repoRoot } from '../platform/paths.js';
import { ACT_ON_LABELS, isActOnKind } from '../domain/act-on-notifications.js';

const dateTimeDe = new Intl.DateTimeFormat('de-DE', { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Berlin' });
/** A point in time as people in Euskirchen read it (meeting times). */
const formatDateTimeDe = (iso: string) => `${dateTimeDe.format(new Date(iso))} Uhr`;

export interface NotificationDependencies {
  db: Database;
  /** Absent (tools and tests that do not look at mail): rows stay `pending`, nothing is claimed or sent. */
  mailer?: Mailer;
  /** KIM coordination, comma-separated; unset → all active coordinators' e-mails. */
  coordinationEmail?: string;
}

export type DeliveryOutcome =
  /** Mailed now. */
  | 'sent'
  /** Mailed earlier (a second delivery of the same id). */
  | 'already_sent'
  /** Another delivery holds the claim, or one died mid-send (see the header). */
  | 'claimed'
  /** Cannot be mailed (no recipient address, permanent refusal): status failed, reason in lastError. */
  | 'failed'
  | 'no_mailer'
  /** An act-on mail whose recipients all chose the daily digest: status digest, mailed in it. */
  | 'digest'
  | 'not_found';

export interface DeliveryResult {
  outcome: DeliveryOutcome;
  to?: string[];
}

/** Path of a case's and a handover's page, relative to the app URL (links in mails). */
export const casePagePath = (caseId: string) => `/faelle/${encodeURIComponent(caseId)}`;
export const handoverPagePath = (handoverId: string) => `/uebergaben/${encodeURIComponent(handoverId)}`;

// ---------------------------------------------------------------------------------------------------------------
// Templates: templates/mail/<name>.hbs, each with the inline partials "subject", "text" and "html" (one file per mail,
// so its three parts cannot drift apart); files starting with "_" are shared partials (inbox.hbs is the sink's page).
// Compiled twice: unescaped for subject and text, HTML-escaped for the HTML part.

const mailTemplatesDir = join(repoRoot, 'templates', 'mail');
const hbsText = Handlebars.create();
const hbsHtml = Handlebars.create();
const compiled = new Map<string, { text: Handlebars.TemplateDelegate; html: Handlebars.TemplateDelegate }>();
let partialsRegistered = false;

function mailTemplate(name: string) {
  if (!partialsRegistered) {
    for (const file of readdirSync(mailTemplatesDir).filter((f) => f.startsWith('_') && f.endsWith('.hbs'))) {
      const source = readFileSync(join(mailTemplatesDir, file), 'utf8');
      hbsText.registerPartial(file.slice(1, -'.hbs'.length), source);
      hbsHtml.registerPartial(file.slice(1, -'.hbs'.length), source);
    }
    partialsRegistered = true;
  }
  let template = compiled.get(name);
  if (!template) {
    const source = readFileSync(join(mailTemplatesDir, `${name}.hbs`), 'utf8');
    template = { text: hbsText.compile(source, { noEscape: true, strict: true }), html: hbsHtml.compile(source, { strict: true }) };
    compiled.set(name, template);
  }
  return template;
}

type NotificationRow = NonNullable<Awaited<ReturnType<Database['notification']['findUnique']>>>;

/** Act-on mails and the digest have a template of their own name (handover_proposed → handover-proposed.hbs). */
const OWN_TEMPLATE_KINDS = new Set(['handover_proposed', 'handover_consent_given', 'handover_meeting_scheduled', 'digest']);

function templateName(row: NotificationRow): string {
  if (OWN_TEMPLATE_KINDS.has(row.kind)) return row.kind.replaceAll('_', '-');
  if (row.handoverId) return row.kind === 'lapsed' ? 'handover-lapsed' : 'handover-meeting';
  if (row.deadlineKind === 'retention') return 'retention';
  if (row.kind === 'closure_requested') return 'closure-requested';
  if (row.kind === 'closure_returned') return 'closure-returned';
  return row.kind === 'escalation' ? 'escalation' : 'reminder';
}

const RECIPIENT_NOTES: Record<string, string> = {
  assignee: 'Sie erhalten diese Nachricht als fallführende Person.',
  coordination: 'Sie erhalten diese Nachricht als KIM-Koordination.',
  counsellor: 'Sie erhalten diese Nachricht, weil Sie die Übergabe in der Sozialberatung der Ausländerbehörde begonnen haben.',
  receiving_organisation: 'Sie erhalten diese Nachricht als Case Management der aufnehmenden Organisation.',
  person: 'Sie erhalten diese Tagesübersicht, weil Sie in Ihren Einstellungen die tägliche Zusammenfassung gewählt haben.',
};

/** One line of the daily digest (payload.items of a `digest` row, activities/outbox-dispatch.ts). */
export interface DigestItem {
  kind: string;
  caseId: string | null;
  handoverId: string | null;
  dueAt?: string | null;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** The German mail of an outbox row. Exported for the tests; reads no personal data. */
export function renderNotification(row: NotificationRow, appUrl: string, fallbackNote?: string): RenderedMail {
  const payload = (row.payload ?? {}) as { dueAt?: string; day?: string; items?: DigestItem[] };
  const deadlineKind = row.deadlineKind as DeadlineKind | null;
  const context = {
    deadlineLabel: deadlineKind ? (DEADLINE_LABELS[deadlineKind] ?? deadlineKind) : 'Wiedervorlage',
    dueDate: payload.dueAt ? formatDateDe(payload.dueAt) : 'unbekannt',
    // The first block of the id is enough to tell cases apart in a mail subject; the link carries the full id.
    caseRef: row.caseId ? row.caseId.slice(0, 8) : '',
    caseId: row.caseId ?? '',
    caseUrl: row.caseId ? `${appUrl}${casePagePath(row.caseId)}` : '',
    handoverRef: row.handoverId ? row.handoverId.slice(0, 8) : '',
    handoverUrl: row.handoverId ? `${appUrl}${handoverPagePath(row.handoverId)}` : '',
    organisation: row.recipientOrganisationId ? organisationShortName(row.recipientOrganisationId) : '',
    recipientNote: RECIPIENT_NOTES[row.recipientRole] ?? '',
    fallbackNote: fallbackNote ?? '',
    appUrl,
    // A meeting is a time of day; everything else a due date.
    meetingAt: payload.dueAt && row.kind === 'handover_meeting_scheduled' ? formatDateTimeDe(payload.dueAt) : '',
    digestDay: payload.day ? formatDateDe(payload.day) : '',
    items: (payload.items ?? []).map((item) => ({
      label: ACT_ON_LABELS[item.kind as keyof typeof ACT_ON_LABELS] ?? item.kind,
      ref: item.handoverId ? `Übergabe ${item.handoverId.slice(0, 8)}` : item.caseId ? `Fall ${item.caseId.slice(0, 8)}` : '',
      url: item.handoverId ? `${appUrl}${handoverPagePath(item.handoverId)}` : item.caseId ? `${appUrl}${casePagePath(item.caseId)}` : appUrl,
    })),
    tasksUrl: `${appUrl}/aufgaben`,
  };
  const template = mailTemplate(templateName(row));
  const part = (format: 'text' | 'html', name: string) => template[format]({ ...context, part: name }).trim();
  return {
    subject: part('text', 'subject').replace(/\s+/g, ' ') || row.subject,
    text: `${part('text', 'text')}\n`,
    html: part('html', 'html'),
  };
}

// ---------------------------------------------------------------------------------------------------------------

const splitAddresses = (list: string) =>
  list
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);

/** Where recipients' addresses come from. */
type RecipientSources = Pick<NotificationDependencies, 'db' | 'coordinationEmail'>;

interface Recipient {
  email: string;
  /** The person chose the daily digest (User.notificationMode) — act-on mails then wait for it. */
  daily: boolean;
}

const RECIPIENT_FIELDS = { email: true, notificationMode: true } as const;
const asRecipient = (u: { email: string; notificationMode: string }): Recipient => ({ email: u.email, daily: u.notificationMode === 'daily' });

async function activeUser(db: Database, userId: string | null | undefined): Promise<Recipient | null> {
  if (!userId) return null;
  const user = await db.user.findUnique({ where: { id: userId }, select: { ...RECIPIENT_FIELDS, active: true } });
  return user?.active ? asRecipient(user) : null;
}

async function coordinators({ db, coordinationEmail }: RecipientSources): Promise<Recipient[]> {
  // A shared coordination mailbox has no person whose setting could hold its mail back.
  if (coordinationEmail) return splitAddresses(coordinationEmail).map((email) => ({ email, daily: false }));
  const users = await db.user.findMany({ where: { role: 'coordinator', active: true }, orderBy: { email: 'asc' }, select: RECIPIENT_FIELDS });
  return users.map(asRecipient);
}

/**
 * The people for the row's recipient role. A person who cannot be reached (left, deactivated, nobody in the
 * organisation) does not swallow the notification: it goes to coordination, with a note saying why.
 */
async function recipientPeople(sources: RecipientSources, row: NotificationRow): Promise<{ people: Recipient[]; fallbackNote?: string }> {
  const { db } = sources;
  const fallback = async (note: string) => ({ people: await coordinators(sources), fallbackNote: note });
  switch (row.recipientRole) {
    case 'assignee':
    case 'person': {
      const person = await activeUser(db, row.recipientUserId);
      return person ? { people: [person] } : fallback('Die fallführende Person ist nicht (mehr) aktiv; die Erinnerung geht deshalb an die KIM-Koordination.');
    }
    case 'counsellor': {
      let userId = row.recipientUserId;
      if (!userId && row.handoverId) {
        userId = (await db.handover.findUnique({ where: { id: row.handoverId }, select: { counsellorId: true } }))?.counsellorId ?? null;
      }
      const person = await activeUser(db, userId);
      return person ? { people: [person] } : fallback('Die zuständige Person der Sozialberatung ist nicht (mehr) aktiv; die Nachricht geht deshalb an die KIM-Koordination.');
    }
    case 'receiving_organisation': {
      const users = row.recipientOrganisationId
        ? await db.user.findMany({
            where: { organisationId: row.recipientOrganisationId, role: 'case_manager', active: true },
            orderBy: { email: 'asc' },
            select: RECIPIENT_FIELDS,
          })
        : [];
      return users.length > 0
        ? { people: users.map(asRecipient) }
        : fallback('In der aufnehmenden Organisation ist kein aktives Case Management eingetragen; die Nachricht geht deshalb an die KIM-Koordination.');
    }
    case 'coordination':
    default:
      return { people: await coordinators(sources) };
  }
}

/**
 * Addresses for a row. Act-on mails skip the people who chose the daily digest (they get the item in it); `deferred`
 * says that nobody is left, so the row waits for the digests instead of being mailed.
 */
async function recipients(sources: RecipientSources, row: NotificationRow): Promise<{ to: string[]; fallbackNote?: string; deferred: boolean }> {
  const { people, fallbackNote } = await recipientPeople(sources, row);
  const now = isActOnKind(row.kind) ? people.filter((p) => !p.daily) : people;
  return { to: now.map((p) => p.email), deferred: now.length === 0 && people.length > 0, ...(fallbackNote ? { fallbackNote } : {}) };
}

export function createNotificationActivities({ db, mailer, coordinationEmail }: NotificationDependencies) {
  async function markFailed(id: string, reason: string): Promise<DeliveryResult> {
    await db.notification.update({ where: { id }, data: { status: 'failed', lastError: reason.slice(0, 1000) } });
    return { outcome: 'failed' };
  }

  return {
    async deliverNotification({ id }: { id: string }): Promise<DeliveryResult> {
      const row = await db.notification.findUnique({ where: { id } });
      if (!row) return { outcome: 'not_found' };
      if (row.status === 'sent') return { outcome: 'already_sent' };
      if (row.status === 'failed') return { outcome: 'failed' };
      if (row.status === 'digest') return { outcome: 'digest' };
      if (row.status !== 'pending') return { outcome: 'claimed' };
      if (!mailer) return { outcome: 'no_mailer' };

      // Resolved and rendered before the claim: a database hiccup here leaves nothing half-done.
      const { to, fallbackNote, deferred } = await recipients({ db, coordinationEmail }, row);
      if (deferred) {
        // Everyone it is for reads it in tomorrow's digest: not mailed now, not failed either.
        const held = await db.notification.updateMany({ where: { id, status: 'pending' }, data: { status: 'digest' } });
        return { outcome: held.count === 1 ? 'digest' : 'claimed' };
      }
      const mail = renderNotification(row, mailer.appUrl, fallbackNote);

      // The claim: only one caller moves the row from pending to sending.
      const claim = await db.notification.updateMany({
        where: { id, status: 'pending' },
        data: { status: 'sending', attempts: { increment: 1 } },
      });
      if (claim.count === 0) {
        const now = await db.notification.findUnique({ where: { id }, select: { status: true } });
        return { outcome: now?.status === 'sent' ? 'already_sent' : 'claimed' };
      }
      if (to.length === 0) return markFailed(id, 'Keine Empfängeradresse: weder Person noch KIM-Koordination (COORDINATION_EMAIL) hinterlegt.');

      try {
        await mailer.send({
          to,
          ...mail,
          messageId: mailer.messageIdFor(id),
          headers: { 'X-KIM-Notification-Id': id, 'Auto-Submitted': 'auto-generated' },
        });
      } catch (error) {
        const message = `${mailer.server}: ${(error as Error).message}`;
        if (isPermanentSmtpError(error)) return markFailed(id, `Vom Mailserver abgelehnt: ${message}`);
        // Back to pending: the retry (or anyone else) may claim it again.
        await db.notification.update({ where: { id }, data: { status: 'pending', lastError: message.slice(0, 1000) } });
        throw error;
      }
      await db.notification.update({ where: { id }, data: { status: 'sent', sentAt: new Date(), lastError: null } });
      return { outcome: 'sent', to };
    },
  };
}

export type NotificationActivities = ReturnType<typeof createNotificationActivities>;
