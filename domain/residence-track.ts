// The residence-law track of a case (issue 16 item 2; seed sections 3.3 and 4: a secure right of residence is the aim
// of the ABH's work). The case carries its current title with its expiry date, the target title, the "besondere
// Integrationsleistungen" worked on and the outcome. Pure rules: the codes and labels, the checks a person's entry
// must pass (those that need today's date or other fields), and the expiry deadline an entry arms, moves or ends.
// Handover facts (permits, notes) and this track are one model: CaseResidenceLaw in case-model.ts.
import { addDays, endOfDayBerlin } from './dates.js';

/** Residence titles the seed names (3.3), plus the two starting points and `other` (then with text). */
export const RESIDENCE_TITLES = [
  'duldung',
  'aufenthaltsgestattung',
  'p25a',
  'p25b',
  'p104c',
  'p19d',
  'p60c',
  'p60d',
  'p16g',
  'p10_3',
  'niederlassungserlaubnis',
  'einbuergerung',
  'other',
] as const;
export type ResidenceTitle = (typeof RESIDENCE_TITLES)[number];

export const RESIDENCE_TITLE_LABELS: Record<ResidenceTitle, string> = {
  duldung: 'Duldung',
  aufenthaltsgestattung: 'Aufenthaltsgestattung',
  p25a: '§ 25a AufenthG – gut integrierte Jugendliche und junge Volljährige',
  p25b: '§ 25b AufenthG – nachhaltige Integration',
  p104c: '§ 104c AufenthG – Chancen-Aufenthaltsrecht',
  p19d: '§ 19d AufenthG – qualifizierte Geduldete zur Beschäftigung',
  p60c: '§ 60c AufenthG – Ausbildungsduldung',
  p60d: '§ 60d AufenthG – Beschäftigungsduldung',
  p16g: '§ 16g AufenthG – Berufsausbildung für Geduldete',
  p10_3: '§ 10 Abs. 3 AufenthG – Titelerteilung nach Asylablehnung',
  niederlassungserlaubnis: 'Niederlassungserlaubnis',
  einbuergerung: 'Einbürgerung',
  other: 'Sonstiger Titel',
};

/** The codes a handover's permits use (handover-model.ts KNOWN_RESIDENCE_PERMITS) as track titles. */
export const HANDOVER_PERMIT_TITLES: Readonly<Record<string, ResidenceTitle>> = {
  '§25a': 'p25a',
  '§25b': 'p25b',
  '§104c': 'p104c',
  '§19d': 'p19d',
  '§60c': 'p60c',
  '§60d': 'p60d',
  '§16g': 'p16g',
  '§10 Abs. 3': 'p10_3',
  niederlassungserlaubnis: 'niederlassungserlaubnis',
  einbuergerung: 'einbuergerung',
};

/** Titles that do not expire: an expiry date makes no sense for them. */
export const UNLIMITED_TITLES: readonly ResidenceTitle[] = ['niederlassungserlaubnis', 'einbuergerung'];

/** "Besondere Integrationsleistungen" (seed 3.3) a case works on. */
export const INTEGRATION_ACHIEVEMENTS = ['language', 'livelihood', 'identity', 'basic_order', 'no_criminal_record'] as const;
export type IntegrationAchievement = (typeof INTEGRATION_ACHIEVEMENTS)[number];
export const INTEGRATION_ACHIEVEMENT_LABELS: Record<IntegrationAchievement, string> = {
  language: 'Sprache (Sprachnachweis)',
  livelihood: 'Arbeit und Lebensunterhalt',
  identity: 'Identitätsklärung (Pass, Mitwirkung)',
  basic_order: 'Bekenntnis zur freiheitlich-demokratischen Grundordnung',
  no_criminal_record: 'Straffreiheit',
};

export const RESIDENCE_OUTCOMES = ['reached', 'not_reached', 'other'] as const;
export type ResidenceOutcome = (typeof RESIDENCE_OUTCOMES)[number];
export const RESIDENCE_OUTCOME_LABELS: Record<ResidenceOutcome, string> = {
  reached: 'Zieltitel erreicht',
  not_reached: 'Zieltitel nicht erreicht',
  other: 'Anderer Ausgang',
};

/** Text fields of the track: at most this long (the workflow state stays small). */
export const TITLE_TEXT_MAX = 200;
export const OUTCOME_NOTE_MAX = 1000;

/** The track as the case holds it (all dates `YYYY-MM-DD` as a person entered them). */
export interface ResidenceTrack {
  currentTitle: ResidenceTitle;
  /** Only with `other`: the title in words. */
  currentTitleText?: string;
  expiresOn?: string;
  targetTitle?: ResidenceTitle;
  targetTitleText?: string;
  achievements: IntegrationAchievement[];
  outcome?: ResidenceOutcome;
  outcomeOn?: string;
  outcomeNote?: string;
  setAt: string;
  setBy: string;
}

/** The body of `set-residence-track` (case-actions.ts) after its shape was checked. */
export interface ResidenceTrackInput {
  currentTitle: ResidenceTitle;
  currentTitleText?: string | undefined;
  expiresOn?: string | undefined;
  targetTitle?: ResidenceTitle | undefined;
  targetTitleText?: string | undefined;
  achievements?: IntegrationAchievement[] | undefined;
  outcome?: ResidenceOutcome | undefined;
  outcomeOn?: string | undefined;
  outcomeNote?: string | undefined;
}

/** German field errors of an entry the shape check let through (needs today's date in Germany); empty when fine. */
export function residenceTrackErrors(p: ResidenceTrackInput, today: string): Record<string, string> {
  const errors: Record<string, string> = {};
  const add = (field: string, message: string) => {
    errors[field] ??= message;
  };
  if (p.currentTitle === 'other' && !p.currentTitleText) add('currentTitleText', 'Bitte den Titel benennen (bei „Sonstiger Titel“ Pflicht)');
  if (p.currentTitle !== 'other' && p.currentTitleText) add('currentTitleText', 'Nur bei „Sonstiger Titel“ angeben');
  if (p.targetTitle === 'other' && !p.targetTitleText) add('targetTitleText', 'Bitte den Zieltitel benennen (bei „Sonstiger Titel“ Pflicht)');
  if (p.targetTitle !== 'other' && p.targetTitleText) add('targetTitleText', 'Nur bei Zieltitel „Sonstiger Titel“ angeben');
  if (p.expiresOn && UNLIMITED_TITLES.includes(p.currentTitle)) add('expiresOn', 'Dieser Titel ist unbefristet: kein Ablaufdatum angeben');
  if (p.targetTitle && p.targetTitle !== 'other' && p.targetTitle === p.currentTitle) add('targetTitle', 'Der Zieltitel entspricht dem aktuellen Titel');
  if (p.achievements && new Set(p.achievements).size !== p.achievements.length) add('achievements', 'Jede Integrationsleistung darf nur einmal vorkommen');
  if (p.outcome && !p.targetTitle) add('targetTitle', 'Ein Ergebnis setzt einen Zieltitel voraus');
  if (p.outcome && !p.outcomeOn) add('outcomeOn', 'Pflichtfeld, wenn ein Ergebnis angegeben ist');
  if (!p.outcome && p.outcomeOn) add('outcome', 'Ein Datum gehört zu einem Ergebnis: bitte das Ergebnis wählen');
  if (!p.outcome && p.outcomeNote) add('outcome', 'Eine Bemerkung gehört zu einem Ergebnis: bitte das Ergebnis wählen');
  if (p.outcomeOn && p.outcomeOn > today) add('outcomeOn', 'Das Datum des Ergebnisses liegt in der Zukunft');
  return errors;
}

/** The track an accepted entry gives (optional parts absent, not empty). */
export function residenceTrackOf(p: ResidenceTrackInput, setAt: string, setBy: string): ResidenceTrack {
  return {
    currentTitle: p.currentTitle,
    ...(p.currentTitleText ? { currentTitleText: p.currentTitleText } : {}),
    ...(p.expiresOn ? { expiresOn: p.expiresOn } : {}),
    ...(p.targetTitle ? { targetTitle: p.targetTitle } : {}),
    ...(p.targetTitleText ? { targetTitleText: p.targetTitleText } : {}),
    achievements: INTEGRATION_ACHIEVEMENTS.filter((a) => p.achievements?.includes(a)),
    ...(p.outcome ? { outcome: p.outcome } : {}),
    ...(p.outcomeOn ? { outcomeOn: p.outcomeOn } : {}),
    ...(p.outcomeNote ? { outcomeNote: p.outcomeNote } : {}),
    setAt,
    setBy,
  };
}

/** A title in words (`other` with its text). */
export function titleLabel(title: ResidenceTitle, text?: string): string {
  return title === 'other' && text ? `${RESIDENCE_TITLE_LABELS.other}: ${text}` : RESIDENCE_TITLE_LABELS[title];
}

/** One line for the case history (codes, labels and dates; the free texts stay out of it). */
export function residenceTrackSummary(t: ResidenceTrack): string {
  const parts = [`Aktueller Titel: ${RESIDENCE_TITLE_LABELS[t.currentTitle]}${t.expiresOn ? ` bis ${germanDate(t.expiresOn)}` : ''}`];
  if (t.targetTitle) parts.push(`Ziel: ${RESIDENCE_TITLE_LABELS[t.targetTitle]}`);
  if (t.achievements.length > 0) parts.push(`Integrationsleistungen: ${t.achievements.map((a) => INTEGRATION_ACHIEVEMENT_LABELS[a]).join(', ')}`);
  if (t.outcome) parts.push(`Ergebnis: ${RESIDENCE_OUTCOME_LABELS[t.outcome]}${t.outcomeOn ? ` am ${germanDate(t.outcomeOn)}` : ''}`);
  return `Aufenthaltsrechtliche Situation: ${parts.join('; ')}`;
}

const germanDate = (date: string): string => `${date.slice(8, 10)}.${date.slice(5, 7)}.${date.slice(0, 4)}`;

// ---------------------------------------------------------------------------------------------------------------
// The expiry deadline: a reminder `leadDays` before the expiry date (never before today), escalation to coordination
// at the end of the expiry day. Both at the end of a day in Germany (domain.md "Dates").

export interface ExpiryDeadlineTimes {
  /** The reminder's date and instant. */
  remindOn: string;
  dueAt: string;
  escalateAt: string;
}

export function expiryDeadlineTimes(expiresOn: string, leadDays: number, today: string): ExpiryDeadlineTimes {
  const ahead = addDays(expiresOn, -leadDays);
  const remindOn = ahead < today ? (today < expiresOn ? today : expiresOn) : ahead;
  return { remindOn, dueAt: endOfDayBerlin(remindOn), escalateAt: endOfDayBerlin(expiresOn) };
}

/** What an entry does to the expiry deadline of the case. */
export type ExpiryPlan =
  | { do: 'none' }
  | { do: 'arm'; times: ExpiryDeadlineTimes }
  | { do: 'move'; times: ExpiryDeadlineTimes }
  | { do: 'meet' }
  | { do: 'cancel' };

/**
 * The expiry deadline after an entry. A pending one follows the expiry date (moved when the date changes, cancelled
 * when the date is gone); a reached target title ends it as met (the expiring title is no longer the question); an
 * expiry date that has passed arms nothing (nothing left to remind of ahead of time).
 */
export function planExpiryDeadline(
  pending: { expiresOn: string } | null,
  next: Pick<ResidenceTrack, 'expiresOn' | 'outcome'>,
  leadDays: number,
  today: string,
): ExpiryPlan {
  if (next.outcome === 'reached') return pending ? { do: 'meet' } : { do: 'none' };
  const expiresOn = next.expiresOn;
  if (!expiresOn || expiresOn < today) return pending ? { do: 'cancel' } : { do: 'none' };
  if (!pending) return { do: 'arm', times: expiryDeadlineTimes(expiresOn, leadDays, today) };
  if (pending.expiresOn === expiresOn) return { do: 'none' };
  return { do: 'move', times: expiryDeadlineTimes(expiresOn, leadDays, today) };
}

/** The default lead time of the expiry reminder: eight weeks (an extension is applied for in good time). */
export const DEFAULT_RESIDENCE_EXPIRY_LEAD_DAYS = 56;
