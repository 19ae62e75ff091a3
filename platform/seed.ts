// Reference data and demo accounts. The county's organisations and routing rules are inserted only where nothing
// exists yet: what coordinators edited (names, contact addresses, rules) is never overwritten by a start. Demo
// accounts go only into an empty database and never into production.
import bcrypt from 'bcryptjs';
import { DEMO_ACCOUNTS as demoAccounts, ORGANISATIONS as organisations } from '../domain/organisations.js';
import { SEED_REFERRAL_CATALOGUE } from '../domain/referral-catalogue.js';
import type { Database } from './database.js';
import { seedRoutingRules } from './routing-rules.js';

export interface SeedResult {
  demoAccounts: Array<{ email: string; role: string }>;
}

/** Organisations and routing rules of Kreis Euskirchen, where missing. */
export async function seedReferenceData(db: Database): Promise<void> {
  await db.organisation.createMany({
    data: organisations.map((o) => ({
      id: o.id,
      name: o.name,
      shortName: o.shortName,
      kind: o.kind,
      countyPost: o.countyPost ?? null,
      municipalities: [...o.municipalities],
      minAge: o.ageRange?.min ?? null,
      maxAge: o.ageRange?.max ?? null,
    })),
    skipDuplicates: true,
  });
  await seedRoutingRules(db);
  // The referral catalogue of Kreis Euskirchen (issue 14), where missing: edits and deactivations stay.
  await db.referralCatalogueEntry.createMany({
    data: SEED_REFERRAL_CATALOGUE.map((e) => ({ code: e.code, name: e.name, kind: e.kind, organisationId: e.organisationId ?? null, active: e.active })),
    skipDuplicates: true,
  });
}

export async function seedDatabase(db: Database, options: { demoPassword: string; production: boolean }): Promise<SeedResult> {
  await seedReferenceData(db);
  if (options.production || (await db.user.count()) > 0) return { demoAccounts: [] };
  const passwordHash = await bcrypt.hash(options.demoPassword, 10);
  const now = new Date();
  await db.user.createMany({
    data: demoAccounts.map((a) => ({ email: a.email, name: a.name, role: a.role, organisationId: a.organisationId, passwordHash, passwordSetAt: now })),
    skipDuplicates: true,
  });
  return { demoAccounts: demoAccounts.map((a) => ({ email: a.email, role: a.role })) };
}
