import { Router } from 'express';
import type { Database } from '../platform/database.js';
import { renderPage } from './views.js';

const phaseLabels: Record<string, string> = {
  intake: 'Zugang / Erstberatung',
  assessment: 'Assessment',
  goal_planning: 'Zielvereinbarung',
  referral: 'Vermittlung',
  review: 'Überprüfung',
  closed: 'Abgeschlossen',
};

export function pagesRouter({ db, temporalUiUrl }: { db: Database; temporalUiUrl?: string }): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    const groups = await db.case.groupBy({ by: ['state'], _count: { _all: true } });
    const phases = Object.keys(phaseLabels)
      .map((state) => ({
        label: phaseLabels[state],
        count: groups.find((g) => g.state === state)?._count._all ?? 0,
      }))
      .filter((p) => p.count > 0);
    res.type('html').send(renderPage('home', { title: 'Übersicht', phases, temporalUiUrl }));
  });
  return router;
}
