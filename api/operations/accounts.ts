// Staff accounts: list, invite (create), change name/role/organisation, deactivate, reactivate, send a new
// invitation. Admins manage every account, coordinators their staff but no admin account and no admin role
// (access-policy.ts). A deactivation or a change of role or organisation ends the person's sessions and API tokens
// in the same transaction, so the next request of a browser or script that had them is unauthenticated. The last
// active admin can be neither deactivated nor demoted (checked under a row lock on the admin rows).
import { z } from 'zod';
import { ACTOR_ROLES, type ActorRole } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import { ADMIN_ROLE, canGrantRole, canManageAccount, canManageAccounts, isActiveAdmin } from './access-policy.js';
import { issueAccountLink, mailAccountLink, unusablePasswordHash, type AccountDeps } from './account-links.js';
import { recordAudit, type Tx } from './admin-audit.js';
import type { Caller } from './caller.js';
import { ApiError } from './errors.js';
import { fieldErrors } from './sessions.js';

const email = z.string().trim().toLowerCase().min(3).max(320).regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'Ungültige E-Mail-Adresse');
const name = z.string().trim().min(1).max(200);
const role = z.enum(ACTOR_ROLES);
const organisationId = z.string().trim().min(1).max(100);

export const InviteAccountBody = z.object({ email, name, role, organisationId }).strict();
export const UpdateAccountBody = z
  .object({ name: name.optional(), role: role.optional(), organisationId: organisationId.optional() })
  .strict();

const LABELS = {
  email: 'Bitte eine gültige E-Mail-Adresse angeben.',
  name: 'Bitte den Namen angeben.',
  role: 'Bitte eine Rolle wählen.',
  organisationId: 'Bitte eine Organisation wählen.',
};

const messages = {
  forbidden: 'Konten verwalten Verwaltung/IT und die KIM-Koordination.',
  notYours: 'Dieses Konto kann nur Verwaltung/IT ändern.',
  adminRole: 'Die Rolle „Verwaltung/IT“ kann nur Verwaltung/IT vergeben.',
  lastAdmin: 'Das letzte aktive Konto von Verwaltung/IT kann weder deaktiviert noch in eine andere Rolle versetzt werden.',
  emailTaken: 'Zu dieser E-Mail-Adresse besteht bereits ein Konto.',
  unknownOrganisation: 'Diese Organisation gibt es nicht oder sie ist nicht aktiv.',
  notFound: 'Konto nicht gefunden.',
};

type UserRow = NonNullable<Awaited<ReturnType<Database['user']['findUnique']>>>;

export function accountView(u: UserRow, openInvitation = false) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    organisationId: u.organisationId,
    active: u.active,
    createdAt: u.createdAt.toISOString(),
    passwordSetAt: u.passwordSetAt?.toISOString() ?? null,
    invitationOpen: openInvitation,
  };
}

/** The audited part of an account: never the password hash. */
const audited = (u: UserRow) => ({ email: u.email, name: u.name, role: u.role, organisationId: u.organisationId, active: u.active });

function requireManager(caller: Caller): void {
  if (!canManageAccounts(caller.user)) throw new ApiError(403, 'forbidden', messages.forbidden);
}

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) throw new ApiError(422, 'validation_failed', 'Bitte prüfen Sie die markierten Angaben.', { fields: fieldErrors(parsed.error, LABELS) });
  return parsed.data;
}

async function requireOrganisation(tx: Tx, id: string): Promise<void> {
  const org = await tx.organisation.findUnique({ where: { id } });
  if (!org || !org.active) throw new ApiError(422, 'validation_failed', messages.unknownOrganisation, { fields: { organisationId: messages.unknownOrganisation } });
}

/** Sessions and API tokens of the account end now (api/http/authentication.ts finds neither any more). */
async function endAccess(tx: Tx, userId: string, now: Date): Promise<void> {
  await tx.session.deleteMany({ where: { userId } });
  await tx.apiToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } });
}

/** Throws 409 last_admin when `change` would leave no active admin. Locks the admin rows until the transaction ends. */
async function guardLastAdmin(tx: Tx, target: UserRow, after: { role: ActorRole; active: boolean }): Promise<void> {
  if (!isActiveAdmin(target) || isActiveAdmin(after)) return;
  const admins = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "User" WHERE role = ${ADMIN_ROLE}::"Role" AND active ORDER BY id FOR UPDATE`;
  if (admins.filter((a) => a.id !== target.id).length === 0) throw new ApiError(409, 'last_admin', messages.lastAdmin);
}

/** GET /api/v1/accounts */
export async function listAccounts(db: Database, caller: Caller) {
  requireManager(caller);
  const [users, open] = await Promise.all([
    db.user.findMany({ orderBy: [{ active: 'desc' }, { name: 'asc' }] }),
    db.accountLink.findMany({ where: { purpose: 'invitation', usedAt: null, expiresAt: { gt: new Date() } }, select: { userId: true } }),
  ]);
  const invited = new Set(open.map((l) => l.userId));
  return { items: users.map((u) => ({ ...accountView(u, invited.has(u.id)), manageable: canManageAccount(caller.user, u) })) };
}

async function findManageable(db: Tx, caller: Caller, id: string): Promise<UserRow> {
  const user = await db.user.findUnique({ where: { id } });
  if (!user) throw new ApiError(404, 'not_found', messages.notFound);
  if (!canManageAccount(caller.user, user)) throw new ApiError(403, 'forbidden', messages.notYours);
  return user;
}

/** GET /api/v1/accounts/:id */
export async function getAccount(db: Database, caller: Caller, id: string) {
  requireManager(caller);
  const user = await db.user.findUnique({ where: { id } });
  if (!user) throw new ApiError(404, 'not_found', messages.notFound);
  const open = await db.accountLink.count({ where: { userId: id, purpose: 'invitation', usedAt: null, expiresAt: { gt: new Date() } } });
  return { ...accountView(user, open > 0), manageable: canManageAccount(caller.user, user) };
}

/**
 * POST /api/v1/accounts: creates the account and mails a one-time invitation link. The account and link are written
 * first; when the mail fails the answer is 502 mail_failed and "send invitation again" makes a new link.
 */
export async function inviteAccount(deps: AccountDeps, caller: Caller, input: unknown) {
  requireManager(caller);
  const body = parse(InviteAccountBody, input);
  if (!canGrantRole(caller.user, body.role)) throw new ApiError(403, 'forbidden', messages.adminRole);
  const passwordHash = await unusablePasswordHash();
  const { user, link } = await deps.db.$transaction(async (tx) => {
    await requireOrganisation(tx, body.organisationId);
    if (await tx.user.findUnique({ where: { email: body.email } })) {
      throw new ApiError(409, 'email_taken', messages.emailTaken, { fields: { email: messages.emailTaken } });
    }
    const created = await tx.user.create({ data: { ...body, passwordHash } });
    const issued = await issueAccountLink(tx, created.id, 'invitation', caller.user.id);
    await recordAudit(tx, { actor: caller.user, entity: 'account', entityId: created.id, action: 'invited', after: audited(created) });
    return { user: created, link: issued };
  });
  await mailAccountLink(deps, user, 'invitation', link);
  return { account: accountView(user, true), invitation: { expiresAt: link.expiresAt.toISOString() } };
}

/** POST /api/v1/accounts/:id/invitation: a new invitation link (the old ones stop working). */
export async function resendInvitation(deps: AccountDeps, caller: Caller, id: string) {
  requireManager(caller);
  const { user, link } = await deps.db.$transaction(async (tx) => {
    const target = await findManageable(tx, caller, id);
    if (!target.active) throw new ApiError(409, 'account_inactive', 'Das Konto ist deaktiviert; reaktivieren Sie es zuerst.');
    const now = new Date();
    await tx.accountLink.updateMany({ where: { userId: id, usedAt: null }, data: { usedAt: now } });
    const issued = await issueAccountLink(tx, id, 'invitation', caller.user.id, now);
    await recordAudit(tx, { actor: caller.user, entity: 'account', entityId: id, action: 'invitation_sent' });
    return { user: target, link: issued };
  });
  await mailAccountLink(deps, user, 'invitation', link);
  return { account: accountView(user, true), invitation: { expiresAt: link.expiresAt.toISOString() } };
}

/** PATCH /api/v1/accounts/:id: name, role, organisation. A new role or organisation ends sessions and tokens. */
export async function updateAccount(db: Database, caller: Caller, id: string, input: unknown) {
  requireManager(caller);
  const body = parse(UpdateAccountBody, input);
  if (body.role && !canGrantRole(caller.user, body.role)) throw new ApiError(403, 'forbidden', messages.adminRole);
  const updated = await db.$transaction(async (tx) => {
    const before = await findManageable(tx, caller, id);
    const role = body.role ?? before.role;
    await guardLastAdmin(tx, before, { role, active: before.active });
    if (body.organisationId && body.organisationId !== before.organisationId) await requireOrganisation(tx, body.organisationId);
    const after = await tx.user.update({ where: { id }, data: body });
    const accessChanged = after.role !== before.role || after.organisationId !== before.organisationId;
    if (accessChanged) await endAccess(tx, id, new Date());
    await recordAudit(tx, { actor: caller.user, entity: 'account', entityId: id, action: 'updated', before: audited(before), after: audited(after) });
    return after;
  });
  return accountView(updated);
}

/** POST /api/v1/accounts/:id/deactivate and …/reactivate (both repeatable). */
export async function setAccountActive(db: Database, caller: Caller, id: string, active: boolean) {
  requireManager(caller);
  const updated = await db.$transaction(async (tx) => {
    const before = await findManageable(tx, caller, id);
    if (before.active === active) return before;
    await guardLastAdmin(tx, before, { role: before.role, active });
    const after = await tx.user.update({ where: { id }, data: { active } });
    if (!active) await endAccess(tx, id, new Date());
    await recordAudit(tx, {
      actor: caller.user,
      entity: 'account',
      entityId: id,
      action: active ? 'reactivated' : 'deactivated',
      before: audited(before),
      after: audited(after),
    });
    return after;
  });
  return accountView(updated);
}

/**
 * `npm run admin:create -- --email …`: the first admin of an installation (or another one), as an open invitation.
 * Returns the link to print; no mail, no password. An existing account gets a fresh link only if it is an admin
 * without a password yet, so the command cannot be used to take over someone's account.
 */
export async function createAdminInvitation(db: Database, appUrl: string, input: { email: string; name?: string; organisationId?: string }) {
  const addr = email.parse(input.email);
  const passwordHash = await unusablePasswordHash();
  return db.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { email: addr } });
    if (existing && (existing.role !== ADMIN_ROLE || existing.passwordSetAt)) {
      throw new ApiError(409, 'email_taken', 'Zu dieser Adresse besteht bereits ein Konto mit Passwort oder einer anderen Rolle.');
    }
    const organisationId = input.organisationId ?? 'kreis-kim';
    await requireOrganisation(tx, organisationId);
    const user =
      existing ??
      (await tx.user.create({ data: { email: addr, name: input.name?.trim() || 'Verwaltung/IT', role: ADMIN_ROLE, organisationId, passwordHash } }));
    await tx.accountLink.updateMany({ where: { userId: user.id, usedAt: null }, data: { usedAt: new Date() } });
    const link = await issueAccountLink(tx, user.id, 'invitation', null);
    await recordAudit(tx, { actor: null, entity: 'account', entityId: user.id, action: existing ? 'invitation_sent' : 'invited', after: audited(user) });
    return { user, link };
  });
}
