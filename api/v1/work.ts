// The caller's own work: GET /api/v1/tasks ("Meine Aufgaben", api/operations/tasks.ts) and their own settings for it
// (mail digest, calendar feed token; api/operations/personal-settings.ts).
import { Router } from 'express';
import { callerOf } from '../http/caller.js';
import type { OperationDeps } from '../operations/caller.js';
import { readPersonalSettings, renewCalendarToken, revokeCalendarToken, updatePersonalSettings } from '../operations/personal-settings.js';
import { myTasks } from '../operations/tasks.js';

export function workRouter(deps: Pick<OperationDeps, 'db'>): Router {
  const router = Router();
  router.get('/tasks', async (req, res) => {
    res.json(await myTasks(deps, callerOf(req)));
  });
  router.get('/me/settings', async (req, res) => {
    res.json(await readPersonalSettings(deps, callerOf(req)));
  });
  router.put('/me/settings', async (req, res) => {
    res.json(await updatePersonalSettings(deps, callerOf(req), req.body));
  });
  router.post('/me/calendar-token', async (req, res) => {
    res.status(201).json(await renewCalendarToken(deps, callerOf(req)));
  });
  router.delete('/me/calendar-token', async (req, res) => {
    await revokeCalendarToken(deps, callerOf(req));
    res.status(204).end();
  });
  return router;
}
