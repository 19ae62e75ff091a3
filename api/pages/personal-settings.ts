// "Einstellungen" (/einstellungen): how act-on mails reach the person (one per event or a daily digest) and their
// calendar feed of deadlines; and the feed itself (/kalender/<token>.ics, no session: the token is the key).
import { Router } from 'express';
import { callerOf } from '../http/caller.js';
import type { OperationDeps } from '../operations/caller.js';
import { ApiError } from '../operations/errors.js';
import {
  calendarFeed,
  NOTIFICATION_MODE_LABELS,
  readPersonalSettings,
  renewCalendarToken,
  revokeCalendarToken,
  updatePersonalSettings,
} from '../operations/personal-settings.js';
import { formatDateTime } from './labels.js';
import { bodyOf, layout, notFoundPage, orRefusalPage, parseForm, requirePageUser, send } from './kit.js';
import { renderPage } from './views.js';
import type { Request, Response } from 'express';

type Settings = Awaited<ReturnType<typeof readPersonalSettings>>;

export function personalSettingsPagesRouter(deps: Pick<OperationDeps, 'db'> & { appUrl: string }): Router {
  const router = Router();

  const show = (req: Request, res: Response, settings: Settings, extra: Record<string, unknown> = {}) =>
    send(
      res,
      200,
      renderPage('personal-settings', {
        ...layout(req, 'Einstellungen', 'einstellungen'),
        modes: Object.entries(NOTIFICATION_MODE_LABELS).map(([value, label]) => ({ value, label, checked: value === settings.notificationMode })),
        feedActive: settings.calendarFeed.active,
        feedSince: settings.calendarFeed.createdAt ? formatDateTime(settings.calendarFeed.createdAt) : null,
        ...extra,
      }),
    );

  router.get('/einstellungen', requirePageUser, async (req, res) => {
    const settings = await orRefusalPage(req, res, readPersonalSettings(deps, callerOf(req, 'page')));
    if (settings) show(req, res, settings);
  });

  router.post('/einstellungen/benachrichtigung', requirePageUser, parseForm, async (req, res) => {
    const caller = callerOf(req, 'page');
    try {
      const settings = await updatePersonalSettings(deps, caller, { notificationMode: bodyOf(req).notificationMode });
      show(req, res, settings, { saved: 'Ihre Benachrichtigung ist gespeichert.' });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 422) throw error;
      const settings = await orRefusalPage(req, res, readPersonalSettings(deps, caller));
      if (settings) show(req, res, settings, { modeError: (error.extra.fields as Record<string, string>).notificationMode });
    }
  });

  router.post('/einstellungen/kalender', requirePageUser, async (req, res) => {
    const renewed = await orRefusalPage(req, res, renewCalendarToken(deps, callerOf(req, 'page')));
    if (!renewed) return;
    const settings = await readPersonalSettings(deps, callerOf(req, 'page'));
    // Shown once: only its hash is stored.
    show(req, res, settings, { feedUrl: `${deps.appUrl}${renewed.path}` });
  });

  router.post('/einstellungen/kalender/abschalten', requirePageUser, async (req, res) => {
    const caller = callerOf(req, 'page');
    if ((await orRefusalPage(req, res, revokeCalendarToken(deps, caller).then(() => true))) !== true) return;
    show(req, res, await readPersonalSettings(deps, caller), { saved: 'Der Fristenkalender ist abgeschaltet; die bisherige Adresse gilt nicht mehr.' });
  });

  router.get('/kalender/:file', async (req, res) => {
    const token = /^(.+)\.ics$/.exec(req.params.file)?.[1] ?? '';
    try {
      const body = await calendarFeed(deps, token, deps.appUrl);
      res.status(200).set('Cache-Control', 'no-store').type('text/calendar; charset=utf-8').send(body);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return notFoundPage(req, res);
      throw error;
    }
  });

  return router;
}
