// Routing rules as data (RoutingRuleVersion): every change is a new version with the first day it applies to new
// intakes; nothing is overwritten. An intake uses the newest version valid on its day; a case keeps the proposal made
// at its intake, so a rule change never reaches a running case. Without any stored version the county's defaults
// (domain/routing.ts) apply; seeding stores them as version 1 where nothing exists.
import { logger } from './logger.js';
import { defaultRoutingRules, routingRulesSchema, type RoutingRules } from '../domain/index.js';
import type { Database } from './database.js';

/** validFrom of the seeded defaults: before any intake the system can hold. */
const SEED_VALID_FROM = new Date('2000-01-01T00:00:00Z');

const BERLIN_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar day (YYYY-MM-DD) of an instant in Europe/Berlin. */
export function berlinDay(at: Date | string): string {
  return BERLIN_DAY.format(typeof at === 'string' ? new Date(at) : at);
}

/** The rules for intakes on `day` (YYYY-MM-DD, Europe/Berlin): the newest version valid then. */
export async function routingRulesOn(db: Database, day: string): Promise<{ version: number | null; rules: RoutingRules }> {
  const row = await db.routingRuleVersion.findFirst({
    where: { validFrom: { lte: new Date(`${day}T00:00:00Z`) } },
    orderBy: [{ validFrom: 'desc' }, { version: 'desc' }],
  });
  if (!row) return { version: null, rules: defaultRoutingRules };
  const parsed = routingRulesSchema.safeParse(row.rules);
  // A stored version that no longer validates must not stop intakes: the defaults apply, loudly.
  if (!parsed.success) {
    logger.warn({ component: 'routing', version: row.version, issues: parsed.error.issues }, 'stored routing rules are invalid; using the defaults');
    return { version: null, rules: defaultRoutingRules };
  }
  return { version: row.version, rules: parsed.data };
}

/** Stores the defaults as version 1 when no version exists; never touches stored versions. */
export async function seedRoutingRules(db: Database): Promise<boolean> {
  const created = await db.routingRuleVersion.createMany({
    data: [{ version: 1, rules: defaultRoutingRules as unknown as object, validFrom: SEED_VALID_FROM, note: 'Voreinstellung des Kreises (Konzept 3.4)' }],
    skipDuplicates: true,
  });
  return created.count > 0;
}
