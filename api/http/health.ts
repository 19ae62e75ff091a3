import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { pingDatabase, type Database } from '../../platform/database.js';

/** GET /healthz: 200 when Temporal and the database answer, 503 naming what is down. */
export function healthRouter({ db, temporal }: { db: Database; temporal: Client }): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    const check = async (probe: () => Promise<unknown>) => {
      try {
        await probe();
        return 'ok';
      } catch (error) {
        return `down: ${(error as Error).message}`;
      }
    };
    const [temporalStatus, databaseStatus] = await Promise.all([
      check(() =>
        temporal.connection.withDeadline(Date.now() + 2000, () =>
          temporal.connection.workflowService.getSystemInfo({}),
        ),
      ),
      check(() => pingDatabase(db)),
    ]);
    const healthy = temporalStatus === 'ok' && databaseStatus === 'ok';
    res.status(healthy ? 200 : 503).json({ temporal: temporalStatus, database: databaseStatus });
  });
  return router;
}
