// One-time links of invitations and password resets. The link carries a random 32-byte secret; only its SHA-256 is
// stored (AccountLink.tokenHash), so a copy of the database opens no account. A link expires (invitation 7 days,
// reset 1 hour) and works once: redeeming marks it used with a conditional update, so two submits cannot both win.
// Setting a password ends the person's sessions and marks every other open link of theirs used.
// A reset request answers the same whether or not the address exists, and sends its mail in the background so the
// answer takes as long either way.
import { logger } from '../../platform/logger.js';
import bcrypt from 'bcryptjs';
import { z } from 'zod';
import type { Mailer } from '../../platform/mailer.js';
import type { Database } from '../../platform/database.js';
import { recordAudit, type Tx } from './admin-audit.js';
import { ApiError } from './errors.js';
import { passwordProblem } from './password-policy.js';
import { fieldErrors, newSecret, SECRET, sha256 } from './sessions.js';

export const INVITATION_VALID_MS = 7 * 24 * 3600 * 1000;
export const RESET_VALID_MS = 60 * 60 * 1000;
export const RESET_MAIL_INTERVAL_MS = 15 * 60 * 1000;
const BCRYPT_COST = 10;
export type LinkPurpose = 'invitation' | 'password_reset';

/** What the account operations need besides the database: the mailer and the app's public address for links. */
export interface AccountDeps {
  db: Database;
  /** Without one (e.g. a process with no SMTP), invitation mails cannot be sent and say so. */
  mailer?: Mailer | undefined;
  /** Base URL of the pages, for the links in mails (APP_URL). */
  appUrl: string;
}

export function linkUrl(appUrl: string, secret: string): string {
  return `${appUrl.replace(/\/+$/, '')}/konto/passwort/${secret}`;
}

/** A new link for the user; the plain secret exists only in the return value. */
export async function issueAccountLink(tx: Tx, userId: string, purpose: LinkPurpose, createdById: string | null, now = new Date()) {
  const secret = newSecret();
  const expiresAt = new Date(now.getTime() + (purpose === 'invitation' ? INVITATION_VALID_MS : RESET_VALID_MS));
  await tx.accountLink.create({ data: { userId, purpose, tokenHash: sha256(secret), createdById, createdAt: now, expiresAt } });
  return { secret, expiresAt };
}

/** A random password nobody knows: an invited account cannot be signed into before its invitation is redeemed. */
export function unusablePasswordHash(): Promise<string> {
  return bcrypt.hash(newSecret(), BCRYPT_COST);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function accountMail(purpose: LinkPurpose, name: string, url: string, expiresAt: Date) {
  const until = expiresAt.toLocaleString('de-DE', { timeZone: 'Europe/Berlin', dateStyle: 'long', timeStyle: 'short' });
  const subject = purpose === 'invitation' ? 'Einladung zu KIM Casework' : 'Passwort für KIM Casework neu setzen';
  const lead =
    purpose === 'invitation'
      ? 'für Sie wurde ein Zugang zu KIM Casework (Kommunales Integrationsmanagement Kreis Euskirchen) angelegt. Bitte legen Sie über diesen Link Ihr Passwort fest:'
      : 'für Ihr Konto bei KIM Casework wurde ein neues Passwort angefordert. Über diesen Link setzen Sie es neu:';
  const tail = `Der Link gilt einmal und bis ${until} Uhr. Haben Sie das nicht erwartet, ignorieren Sie diese Nachricht; Ihr Zugang bleibt unverändert.`;
  const text = `Guten Tag ${name},\n\n${lead}\n\n${url}\n\n${tail}\n\n-- \nKIM Casework · Kreis Euskirchen (automatisch versandt)\n`;
  const html =
    `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>${subject}</title></head><body style="font-family:Arial,sans-serif">` +
    `<p>Guten Tag ${escapeHtml(name)},</p><p>${lead}</p><p><a href="${escapeHtml(url)}">${escapeHtml(url)}</a></p><p>${tail}</p>` +
    `<p style="color:#4a5560;font-size:13px">KIM Casework · Kreis Euskirchen (automatisch versandt)</p></body></html>`;
  return { subject, text, html };
}

/** Sends the link's mail; throws 502 mail_failed (with a German message) when no mail could be sent. */
export async function mailAccountLink(deps: AccountDeps, user: { id: string; email: string; name: string }, purpose: LinkPurpose, link: { secret: string; expiresAt: Date }) {
  if (!deps.mailer) throw new ApiError(502, 'mail_failed', 'Die E-Mail konnte nicht versandt werden: Für diesen Dienst ist kein Mailserver eingerichtet.');
  const mail = accountMail(purpose, user.name, linkUrl(deps.appUrl, link.secret), link.expiresAt);
  try {
    await deps.mailer.send({ to: [user.email], ...mail, messageId: deps.mailer.messageIdFor(`${purpose}-${sha256(link.secret).slice(0, 24)}`) });
  } catch (error) {
    logger.warn({ component: 'accounts', userId: user.id, purpose, err: error instanceof Error ? error.message : String(error) }, 'account mail failed');
    throw new ApiError(502, 'mail_failed', 'Die E-Mail konnte nicht versandt werden. Bitte versuchen Sie es später erneut.');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Password reset request

export const PasswordResetBody = z.object({ email: z.string().trim().min(1).max(320) }).strict();

export const RESET_ANSWER = 'Wenn zu dieser Adresse ein aktives Konto besteht, wurde ein Link zum Setzen eines neuen Passworts verschickt.';

/**
 * Same answer for every well-formed request. The mail goes out in the background (`sent` settles when it is done:
 * tests and callers that want to wait can, the HTTP answer does not).
 */
export async function requestPasswordReset(deps: AccountDeps, input: unknown): Promise<{ message: string; sent: Promise<void> }> {
  const parsed = PasswordResetBody.safeParse(input ?? {});
  if (!parsed.success) {
    throw new ApiError(422, 'validation_failed', 'Bitte E-Mail-Adresse angeben.', { fields: fieldErrors(parsed.error, { email: 'Bitte E-Mail-Adresse angeben.' }) });
  }
  const email = parsed.data.email.toLowerCase();
  const sent = (async () => {
    const user = await deps.db.user.findUnique({ where: { email } });
    if (!user || !user.active) return;
    // One reset mail per account and quarter of an hour: the form cannot be used to flood someone's mailbox.
    const recent = await deps.db.accountLink.count({ where: { userId: user.id, purpose: 'password_reset', createdAt: { gt: new Date(Date.now() - RESET_MAIL_INTERVAL_MS) } } });
    if (recent > 0) return;
    const link = await issueAccountLink(deps.db, user.id, 'password_reset', null);
    await mailAccountLink(deps, user, 'password_reset', link);
  })().catch((error: unknown) => logger.warn({ component: 'accounts', err: error instanceof Error ? error.message : String(error) }, 'password reset not sent'));
  return { message: RESET_ANSWER, sent };
}

// ---------------------------------------------------------------------------------------------------------------
// Redeeming a link

export const SetPasswordBody = z
  .object({ token: z.string().min(1).max(200), password: z.string().min(1).max(1024) })
  .strict();

const INVALID_LINK = 'Dieser Link ist ungültig, abgelaufen oder wurde bereits verwendet. Fordern Sie bitte einen neuen an.';

/** The link behind a secret when it can still be used (for the page that shows the form), else null. */
export async function usableLink(db: Database, secret: string, now = new Date()) {
  if (!SECRET.test(secret)) return null;
  const link = await db.accountLink.findUnique({ where: { tokenHash: sha256(secret) }, include: { user: true } });
  if (!link || link.usedAt || link.expiresAt <= now || !link.user.active) return null;
  return link;
}

/** Sets the password of the link's account; 410 link_invalid for an unknown, used or expired link. */
export async function setPasswordWithLink(db: Database, input: unknown, now = new Date()) {
  const parsed = SetPasswordBody.safeParse(input ?? {});
  if (!parsed.success) {
    throw new ApiError(422, 'validation_failed', 'Bitte ein Passwort angeben.', { fields: fieldErrors(parsed.error, { password: 'Bitte ein Passwort angeben.', token: INVALID_LINK }) });
  }
  const link = await usableLink(db, parsed.data.token, now);
  if (!link) throw new ApiError(410, 'link_invalid', INVALID_LINK);
  const problem = passwordProblem(parsed.data.password, [link.user.email, ...link.user.name.split(/\s+/)]);
  if (problem) throw new ApiError(422, 'weak_password', problem, { fields: { password: problem } });
  const passwordHash = await bcrypt.hash(parsed.data.password, BCRYPT_COST);
  await db.$transaction(async (tx) => {
    // Single use even under concurrent submits: only the update that still finds it unused counts.
    const claimed = await tx.accountLink.updateMany({ where: { id: link.id, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
    if (claimed.count !== 1) throw new ApiError(410, 'link_invalid', INVALID_LINK);
    await tx.accountLink.updateMany({ where: { userId: link.userId, usedAt: null }, data: { usedAt: now } });
    await tx.user.update({ where: { id: link.userId }, data: { passwordHash, passwordSetAt: now } });
    // A new password ends every session that knew the old one.
    await tx.session.deleteMany({ where: { userId: link.userId } });
    await recordAudit(tx, {
      actor: { id: link.userId, role: link.user.role },
      entity: 'account',
      entityId: link.userId,
      action: link.purpose === 'invitation' ? 'invitation_accepted' : 'password_reset',
    });
  });
  return { email: link.user.email };
}
