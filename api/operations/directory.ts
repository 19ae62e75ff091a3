// The staff and organisation directory: names for ids on pages and in lists, and who can be made an assignee.
import type { Database } from '../../platform/database.js';
import { canBeCaseAssignee, canTakeOverHandover } from './access-policy.js';
import { organisationView } from './organisations.js';

export interface StaffDirectory {
  name(id: string | undefined | null): string;
  /** Active staff who can hold a case of this organisation. */
  assignees(organisationId: string): { value: string; label: string }[];
  /** Active staff who can take over a handover for this organisation. */
  handoverAssignees(organisationId: string): { value: string; label: string }[];
}

export async function staffDirectory(db: Database): Promise<StaffDirectory> {
  // Staff are tens, not thousands: one query for every name on the page is simpler than collecting ids first.
  const users = await db.user.findMany({ select: { id: true, name: true, role: true, organisationId: true, active: true }, orderBy: { name: 'asc' } });
  const byId = new Map(users.map((u) => [u.id, u]));
  return {
    name: (id) => (id ? (byId.get(id)?.name ?? (id === 'system' ? 'System' : 'Unbekannt')) : '–'),
    assignees: (organisationId) => users.filter((u) => canBeCaseAssignee(u, organisationId)).map((u) => ({ value: u.id, label: u.name })),
    handoverAssignees: (organisationId) => users.filter((u) => canTakeOverHandover(u, organisationId)).map((u) => ({ value: u.id, label: u.name })),
  };
}

export async function organisationNames(db: Database) {
  const rows = await db.organisation.findMany({ orderBy: { name: 'asc' } });
  return {
    rows,
    short: (id: string | null | undefined) => (id ? (rows.find((o) => o.id === id)?.shortName ?? id) : '–'),
  };
}

/** GET /api/v1/organisations: every organisation with its kind, contact address, state and catchment. */
export async function listOrganisations(db: Database) {
  const organisations = await db.organisation.findMany({ orderBy: { name: 'asc' } });
  return { items: organisations.map(organisationView) };
}
