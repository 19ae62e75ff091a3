// Reference data and demo accounts. Organisations are kept current on every start (they are the
// county's fixed structure); demo accounts go only into an empty database and never into production.
import bcrypt from 'bcryptjs';
import { DEMO_ACCOUNTS as demoAccounts, ORGANISATIONS as organisations } from '../domain/organisations.js';
import type { Database } from './database.js';

export interface SeedResult {
  demoAccounts: Array<{ email: string; role: string }>;
}

export async function seedDatabase(db: Database, options: { demoPassword: string; production: boolean }): Promise<SeedResult> {
  for (const o of organisations) {
    const data = {
      name: o.name,
      shortName: o.shortName,
      kind: o.kind,
      municipalities: [...o.municipalities],
      minAge: o.ageRange?.min ?? null,
      maxAge: o.ageRange?.max ?? null,
    };
    await db.organisation.upsert({ where: { id: o.id }, create: { id: o.id, ...data }, update: data });
  }
  if (options.production || (await db.user.count()) > 0) return { demoAccounts: [] };
  const passwordHash = await bcrypt.hash(options.demoPassword, 10);
  await db.user.createMany({
    data: demoAccounts.map((a) => ({ email: a.email, name: a.name, role: a.role, organisationId: a.organisationId, passwordHash })),
    skipDuplicates: true,
  });
  return { demoAccounts: demoAccounts.map((a) => ({ email: a.email, role: a.role })) };
}
