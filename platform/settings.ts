// Installation settings that coordinators configure (stored in the Setting table), with the defaults of
// ../shared/domain.md when nothing is stored. A demo installation (scripts/lib/demo-data.ts) runs on a demo clock
// until coordinators save their own settings: every deadline period of the defaults counted in minutes instead of
// days ("one day = one minute"), so reminders and escalations fall due live; the retention period stays in years.
import { z } from 'zod';
import {
  caseSettingsSchema,
  defaultCaseSettings,
  defaultReportSettings,
  reportSettingsSchema,
  type CaseSettings,
  type ReportSettings,
} from '../domain/index.js';
import type { Database } from './database.js';
import { logger } from './logger.js';

const CASE_SETTINGS_KEY = 'case';
/** Demo clock of a demo installation; ignored once CASE_SETTINGS_KEY exists. */
export const DEMO_CASE_SETTINGS_KEY = 'case-demo';
const MINUTE_IN_DAYS = 1 / 1440;

/** The demo clock: the default periods, a day of them lasting a minute. */
export function demoCaseSettings(): CaseSettings {
  const d = defaultCaseSettings.deadlines;
  const scaled = Object.fromEntries(Object.entries(d).map(([k, v]) => [k, k === 'retentionYears' ? v : v * MINUTE_IN_DAYS])) as CaseSettings['deadlines'];
  return { ...defaultCaseSettings, deadlines: scaled };
}

// The demo clock's periods are fractions of days, which the coordinators' schema (whole days) would refuse.
const demoSettingsSchema = caseSettingsSchema.extend({
  deadlines: z.record(z.string(), z.number().positive()).transform((v) => v as unknown as CaseSettings['deadlines']),
});

/** The settings coordinators saved, or the defaults: what the Fristen page shows and edits. */
export async function loadConfiguredCaseSettings(db: Database): Promise<CaseSettings> {
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

/** What cases run on: the coordinators' settings, else a demo installation's demo clock, else the defaults. */
export async function loadCaseSettings(db: Database): Promise<CaseSettings> {
  const rows = await db.setting.findMany({ where: { key: { in: [CASE_SETTINGS_KEY, DEMO_CASE_SETTINGS_KEY] } } });
  if (!rows.some((r) => r.key === CASE_SETTINGS_KEY)) {
    const demo = rows.find((r) => r.key === DEMO_CASE_SETTINGS_KEY);
    const parsed = demo ? demoSettingsSchema.safeParse(demo.value) : undefined;
    if (parsed?.success) return parsed.data;
  }
  return loadConfiguredCaseSettings(db);
}

/** Whether cases run on the demo clock (the Fristen page says so). */
export async function demoClockActive(db: Database): Promise<boolean> {
  const keys = (await db.setting.findMany({ where: { key: { in: [CASE_SETTINGS_KEY, DEMO_CASE_SETTINGS_KEY] } }, select: { key: true } })).map((r) => r.key);
  return keys.includes(DEMO_CASE_SETTINGS_KEY) && !keys.includes(CASE_SETTINGS_KEY);
}

export async function saveDemoCaseSettings(db: Database): Promise<void> {
  const value = demoCaseSettings() as unknown as object;
  await db.setting.upsert({ where: { key: DEMO_CASE_SETTINGS_KEY }, create: { key: DEMO_CASE_SETTINGS_KEY, value }, update: { value } });
}

export async function saveCaseSettings(db: Database, settings: CaseSettings, updatedById?: string): Promise<void> {
  const value = caseSettingsSchema.parse(settings);
  await db.setting.upsert({
    where: { key: CASE_SETTINGS_KEY },
    create: { key: CASE_SETTINGS_KEY, value, updatedById: updatedById ?? null },
    update: { value, updatedById: updatedById ?? null },
  });
}

const REPORT_SETTINGS_KEY = 'report';

/** The report settings coordinators saved (age bands), or the defaults. */
export async function loadReportSettings(db: Database): Promise<ReportSettings> {
  const row = await db.setting.findUnique({ where: { key: REPORT_SETTINGS_KEY } });
  const parsed = row ? reportSettingsSchema.safeParse(row.value) : undefined;
  if (parsed && !parsed.success) logger.warn('stored report settings are invalid; using defaults');
  return parsed?.success ? parsed.data : defaultReportSettings;
}

export async function saveReportSettings(db: Database, settings: ReportSettings, updatedById?: string): Promise<void> {
  const value = reportSettingsSchema.parse(settings);
  await db.setting.upsert({
    where: { key: REPORT_SETTINGS_KEY },
    create: { key: REPORT_SETTINGS_KEY, value, updatedById: updatedById ?? null },
    update: { value, updatedById: updatedById ?? null },
  });
}
