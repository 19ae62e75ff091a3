// The form of `set-residence-track` on the case page and the track as facts (case page, Art. 15 print) (process rules 9, domain/residence-track.ts), prefilled with the
// track so far — or, on a case that came with a handover, with the first permit it named that the list knows.
import {
  HANDOVER_PERMIT_TITLES,
  INTEGRATION_ACHIEVEMENT_LABELS,
  RESIDENCE_OUTCOME_LABELS,
  RESIDENCE_TITLE_LABELS,
  titleLabel,
  type CaseData,
  type ResidenceTrack,
} from '../../domain/index.js';
import type { ActionFormSpec } from './forms.js';
import { formatDate, optionsOf } from './labels.js';

export function residenceTrackForm(c: CaseData): Partial<ActionFormSpec> {
  const t = c.residenceLaw?.track;
  const fromHandover = c.residenceLaw?.permits.map((p) => HANDOVER_PERMIT_TITLES[p]).find((x) => x !== undefined);
  const titles = optionsOf(RESIDENCE_TITLE_LABELS);
  return {
    intro:
      'Aktueller Titel, Ablaufdatum, angestrebter Titel, die besonderen Integrationsleistungen, an denen gearbeitet wird, und das Ergebnis. ' +
      'Ein Ablaufdatum legt eine Frist an: Erinnerung rechtzeitig vor dem Ablauf, Eskalation am Ablauftag.',
    fields: [
      { name: 'currentTitle', label: 'Aktueller Aufenthaltstitel', kind: 'select', required: true, emptyOption: 'Bitte wählen', options: titles, default: t?.currentTitle ?? '' },
      { name: 'currentTitleText', label: 'Sonstiger Titel (Bezeichnung)', kind: 'text', hint: 'Nur bei „Sonstiger Titel“.', default: t?.currentTitleText ?? '' },
      { name: 'expiresOn', label: 'Gültig bis', kind: 'date', hint: 'Leer lassen bei unbefristeten Titeln.', default: t?.expiresOn ?? '' },
      { name: 'targetTitle', label: 'Angestrebter Titel', kind: 'select', emptyOption: 'Noch offen', options: titles, default: t?.targetTitle ?? fromHandover ?? '' },
      { name: 'targetTitleText', label: 'Sonstiger Zieltitel (Bezeichnung)', kind: 'text', hint: 'Nur bei Zieltitel „Sonstiger Titel“.', default: t?.targetTitleText ?? '' },
      {
        name: 'achievements',
        label: 'Besondere Integrationsleistungen, an denen gearbeitet wird',
        kind: 'checkboxes',
        options: optionsOf(INTEGRATION_ACHIEVEMENT_LABELS),
        default: (t?.achievements ?? []).join(','),
      },
      { name: 'outcome', label: 'Ergebnis', kind: 'select', emptyOption: 'Noch kein Ergebnis', options: optionsOf(RESIDENCE_OUTCOME_LABELS), default: t?.outcome ?? '' },
      { name: 'outcomeOn', label: 'Datum des Ergebnisses', kind: 'date', hint: 'Pflicht, wenn ein Ergebnis gewählt ist.', default: t?.outcomeOn ?? '' },
      { name: 'outcomeNote', label: 'Bemerkung zum Ergebnis', kind: 'textarea', default: t?.outcomeNote ?? '' },
    ],
  };
}

/** The track as facts in German (case page, Art. 15 print); null when none was recorded. */
export function residenceTrackFacts(t: ResidenceTrack | undefined): { term: string; value: string }[] | null {
  if (!t) return null;
  return [
    { term: 'Aktueller Titel', value: titleLabel(t.currentTitle, t.currentTitleText) },
    { term: 'Gültig bis', value: t.expiresOn ? formatDate(t.expiresOn) : '–' },
    { term: 'Angestrebter Titel', value: t.targetTitle ? titleLabel(t.targetTitle, t.targetTitleText) : 'noch offen' },
    { term: 'Besondere Integrationsleistungen', value: t.achievements.map((a) => INTEGRATION_ACHIEVEMENT_LABELS[a]).join(', ') || '–' },
    { term: 'Ergebnis', value: t.outcome ? `${RESIDENCE_OUTCOME_LABELS[t.outcome]}${t.outcomeOn ? ` am ${formatDate(t.outcomeOn)}` : ''}` : 'noch kein Ergebnis' },
    ...(t.outcomeNote ? [{ term: 'Bemerkung zum Ergebnis', value: t.outcomeNote }] : []),
    { term: 'Zuletzt erfasst', value: formatDate(t.setAt) },
  ];
}
