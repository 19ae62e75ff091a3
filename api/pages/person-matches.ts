// "Personenabgleich" (issue 16): coordination sees the possible matches of one person across providers found at
// intake and links two cases to one person or dismisses the match. Same operations as /api/v1/person-matches.
import { Router } from 'express';
import { CASE_STATE_LABELS, type CaseState } from '../../domain/index.js';
import { PERSON_MATCH_STATUS_LABELS, type PersonMatchStatus } from '../../domain/person-match.js';
import { callerOf } from '../http/caller.js';
import type { OperationDeps } from '../operations/caller.js';
import { ApiError } from '../operations/errors.js';
import { decidePersonMatch, listPersonMatches, type PersonMatchView } from '../operations/person-matches.js';
import { formatDate, formatDateTime } from './labels.js';
import { errorPage, layout, orRefusalPage, parseForm, requirePageUser, send } from './kit.js';
import { renderPage } from './views.js';

/** German query values of the tabs. */
const STATUS_OF: Record<string, PersonMatchStatus> = { offen: 'open', verknuepft: 'linked', verworfen: 'dismissed' };
const TAB_OF: Record<PersonMatchStatus, string> = { open: 'offen', linked: 'verknuepft', dismissed: 'verworfen' };
const DONE: Record<string, string> = {
  verknuepft: 'Die beiden Fälle sind jetzt einer Person zugeordnet: Die Zahlen zählen sie als eine Person.',
  verworfen: 'Der mögliche Treffer wurde verworfen: Es sind verschiedene Personen.',
};

function caseView(c: PersonMatchView['case']) {
  if (!c) return null;
  return {
    id: c.id,
    name: `${c.person.familyName}, ${c.person.givenName}`,
    birthDate: formatDate(c.person.birthDate),
    organisation: c.organisationName,
    municipality: c.municipality,
    state: CASE_STATE_LABELS[c.state as CaseState] ?? c.state,
    openedAt: formatDate(c.openedAt),
  };
}

export function personMatchPagesRouter(deps: Pick<OperationDeps, 'db'>): Router {
  const router = Router();

  router.get('/koordination/personenabgleich', requirePageUser, async (req, res) => {
    const tab = typeof req.query.status === 'string' && STATUS_OF[req.query.status] ? req.query.status : 'offen';
    const list = await orRefusalPage(req, res, listPersonMatches(deps, callerOf(req, 'page'), { status: STATUS_OF[tab] }));
    if (!list) return;
    const done = typeof req.query.erledigt === 'string' ? DONE[req.query.erledigt] : undefined;
    send(
      res,
      200,
      renderPage('person-matches', {
        ...layout(req, 'Personenabgleich'),
        done,
        statusLabel: PERSON_MATCH_STATUS_LABELS[list.status],
        open: list.status === 'open',
        tabs: (['open', 'linked', 'dismissed'] as const).map((s) => ({ href: `/koordination/personenabgleich?status=${TAB_OF[s]}`, label: PERSON_MATCH_STATUS_LABELS[s], current: s === list.status })),
        items: list.items.map((m) => ({
          id: m.id,
          detectedAt: formatDateTime(m.detectedAt),
          decidedAt: m.decidedAt ? formatDateTime(m.decidedAt) : null,
          newCase: caseView(m.case),
          otherCase: caseView(m.otherCase),
        })),
      }),
    );
  });

  for (const [path, decision, done] of [
    ['verknuepfen', 'link', 'verknuepft'],
    ['verwerfen', 'dismiss', 'verworfen'],
  ] as const) {
    router.post(`/koordination/personenabgleich/:id/${path}`, requirePageUser, parseForm, async (req, res) => {
      try {
        await decidePersonMatch(deps, callerOf(req, 'page'), String(req.params.id), decision);
      } catch (error) {
        if (error instanceof ApiError && error.status === 409) return errorPage(req, res, 409, 'Bereits entschieden', error.message);
        if (error instanceof ApiError && error.status === 404) return errorPage(req, res, 404, 'Nicht gefunden', error.message);
        if (error instanceof ApiError && error.status === 403) return errorPage(req, res, 403, 'Keine Berechtigung', error.message);
        throw error;
      }
      res.redirect(303, `/koordination/personenabgleich?erledigt=${done}`);
    });
  }

  return router;
}
