// Installation settings that coordinators configure (stored in the Setting table), with the defaults of
// ../shared/domain.md when nothing is stored.
import { caseSettingsSchema, defaultCaseSettings, type CaseSettings } from '../domain/index.js';
import type { Database } from './database.js';
import { logger } from './logger.js';

const CASE_SETTINGS_KEY = 'case';

export async function loadCaseSettings(db: Database): Promise<CaseSettings> {
  const row = await db.setting.findUnique({ where: { key: CASE_SETTINGS_KEY } });
  if (!row) return defaultCaseSettings;
  const parsed = caseSettingsSchema.safeParse(row.value);
  // A stored value that no longer validates must not stop case work: fall back to the defaults, loudly.
  if (!parsed.success) {
    logger.warn({ issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code })) }, 'stored case settings are invalid; using defaults');
    return defaultCaseSettings;
  }
  return parsed.data;
}

export async function saveCaseSettings(db: Database, settings: CaseSettings, updatedById?: string): Promise<void> {
  const value = caseSettingsSchema.parse(settings);
  await db.setting.upsert({
    where: { key: CASE_SETTINGS_KEY },
    create: { key: CASE_SETTINGS_KEY, value, updatedById: updatedById ?? null },
    update: { value, updatedById: updatedById ?? null },
  });
}
