// Installation settings for workflows: read through an activity, so the value is recorded in history.
import type { Database } from '../platform/database.js';
import { loadCaseSettings } from '../platform/settings.js';

export function createSettingsActivities(db: Database) {
  return {
    async loadCaseSettings() {
      return loadCaseSettings(db);
    },
  };
}
