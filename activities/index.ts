// Activities are plain functions created from injected dependencies, so tests run them with real ones.
import type { Database } from '../platform/database.js';
import { createCaseRecordActivities } from './case-records.js';
import { createHandoverRecordActivities } from './handover-records.js';
import { createSettingsActivities } from './settings.js';

export interface ActivityDependencies {
  db: Database;
}

export function createActivities({ db }: ActivityDependencies) {
  return {
    ...createCaseRecordActivities(db),
    ...createHandoverRecordActivities(db),
    ...createSettingsActivities(db),
  };
}

export type CaseActivities = ReturnType<typeof createActivities>;
