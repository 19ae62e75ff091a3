// Activities are plain functions created from injected dependencies, so tests run them with real ones.
import type { DataKeyStore } from '../platform/data-keys.js';
import type { Database } from '../platform/database.js';
import type { Mailer } from '../platform/mailer.js';
import { createReconcilerActivities } from './case-reconciler.js';
import { createCaseBatchRecordActivities } from './case-batch-records.js';
import { createCaseRecordActivities } from './case-records.js';
import { createErasureActivities } from './erasure.js';
import { createHandoverRecordActivities } from './handover-records.js';
import { createNotificationActivities } from './notifications.js';
import { createOutboxDispatchActivities } from './outbox-dispatch.js';
import { createSettingsActivities } from './settings.js';

export interface ActivityDependencies {
  db: Database;
  /** The process's one mailer; absent only in tools/tests that do not look at mail (the outbox then stays pending). */
  mailer?: Mailer;
  /** KIM coordination's address(es), comma-separated; unset → all active coordinators. */
  coordinationEmail?: string;
  /** The process's per-case data keys (the codec's store), so retiring and destroying keys take effect in its cache at once. */
  dataKeys?: DataKeyStore;
}

export function createActivities({ db, mailer, coordinationEmail, dataKeys }: ActivityDependencies) {
  return {
    ...createCaseRecordActivities(db),
    ...createCaseBatchRecordActivities(db),
    ...createReconcilerActivities(db),
    ...createErasureActivities(db, dataKeys),
    ...createHandoverRecordActivities(db, dataKeys),
    ...createSettingsActivities(db),
    ...createNotificationActivities({ db, mailer, coordinationEmail }),
    ...createOutboxDispatchActivities({ db, mailer, coordinationEmail }),
  };
}

export type CaseActivities = ReturnType<typeof createActivities>;
