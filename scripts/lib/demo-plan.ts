// What the demo of `npm start` contains (scripts/lib/demo-data.ts makes it through the real operations): 48 cases
// across every provider, the county team, all eleven municipalities and every phase, and six ABH handovers, one per
// end state. The persons are obviously fictional: every family name is a German word for "example"/"sample".

export type DemoStage = 'intake' | 'assessment' | 'goal_planning' | 'referral' | 'review';
type ContactKind = 'counselling' | 'accompaniment' | 'outreach' | 'phone' | 'digital';

export interface DemoCasePlan {
  caseManager: string;
  /** The county's own post keeps the case: coordination confirms the KIM team instead of the proposed provider. */
  countyPost?: boolean;
  municipality: string;
  birthDate: string;
  source: 'self' | 'outreach' | 'jobcenter' | 'abh' | 'youth_office' | 'volunteers' | 'other';
  stage: DemoStage;
  /** Intake cases: with or without the consent to data processing. */
  consent?: boolean;
  contacts: ContactKind[];
  lifeAreas: [string, 'none' | 'low' | 'high'][];
  goal: string;
  referral?: { service: string; partnerName: string; outcome?: 'accepted' | 'declined' | 'completed' | 'not_reached' };
  reviewOutcome?: 'continue' | 'replan' | 'refer';
  sharing?: { partner: string; withdraw: boolean };
  onHold?: boolean;
  transferTo?: string;
  closure?: 'goals_achieved' | 'moved_away' | 'handed_to_regular_service';
  end?: 'pending' | 'closed' | 'reopened';
}

const FAMILY = ['Beispiel', 'Muster', 'Probe', 'Exempel', 'Vorlage', 'Mustermann', 'Musterfrau', 'Testfeld'];
const GIVEN: [string, string[]][] = [
  ['Amira', ['ar', 'de']], ['Yusuf', ['tr']], ['Olena', ['uk', 'ru']], ['Dawit', ['ti']], ['Fatima', ['fa']], ['Luca', ['it']],
  ['Nour', ['ar']], ['Samir', ['ku']], ['Irina', ['ru']], ['Karim', ['ar', 'fr']], ['Leyla', ['tr', 'de']], ['Mateusz', ['pl']],
];
export const DEMO_PEOPLE = FAMILY.flatMap((familyName, i) => GIVEN.slice(i % 3, (i % 3) + 6).map(([givenName, languages]) => ({ givenName, familyName, languages })));

const CM: Record<string, string> = {
  'caritas-eifel': 'cm.caritas-eifel@kim.example',
  'caritas-euskirchen': 'cm.caritas-euskirchen@kim.example',
  drk: 'cm.drk@kim.example',
  kja: 'cm.kja@kim.example',
  'kreis-kim': 'cm.kreis@kim.example',
};
/** The routing default for adults (the case manager of the proposed provider works the case). */
const ADULT: Record<string, string> = {
  Schleiden: 'caritas-eifel', Hellenthal: 'caritas-eifel', Dahlem: 'caritas-eifel', Blankenheim: 'caritas-eifel', Mechernich: 'caritas-eifel',
  Euskirchen: 'caritas-euskirchen', 'Bad Münstereifel': 'caritas-euskirchen', Kall: 'drk', Zülpich: 'drk', Nettersheim: 'drk', Weilerswist: 'drk',
};
const MUNICIPALITIES = Object.keys(ADULT);
const CONTACTS: ContactKind[] = ['counselling', 'accompaniment', 'outreach', 'phone', 'digital'];
const AREAS: [string, 'none' | 'low' | 'high'][][] = [
  [['language', 'high'], ['work', 'high'], ['housing', 'low']],
  [['residence_law', 'high'], ['family', 'low'], ['finances', 'high']],
  [['education', 'high'], ['social_participation', 'low'], ['health', 'none']],
];
const GOALS = ['Deutschkurs B1 abschließen', 'Arbeitsaufnahme vorbereiten', 'Wohnung finden', 'Anerkennung des Berufsabschlusses', 'Schulden regulieren', 'Ausbildungsplatz finden'];
const REFERRALS: NonNullable<DemoCasePlan['referral']>[] = [
  { service: 'Sprachkurs', partnerName: 'VHS Euskirchen (Demo)', outcome: 'accepted' },
  { service: 'Schuldnerberatung', partnerName: 'Schuldnerberatung (Demo)', outcome: 'completed' },
  { service: 'Anerkennungsberatung', partnerName: 'IQ-Netzwerk (Demo)' },
  { service: 'Jobcenter', partnerName: 'Integration Point (Demo)', outcome: 'not_reached' },
  { service: 'Wohnungssuche', partnerName: 'Wohnraumbörse (Demo)', outcome: 'declined' },
];
const STAGES: DemoStage[] = ['intake', 'assessment', 'goal_planning', 'referral', 'review'];

function plan(i: number): DemoCasePlan {
  const young = i % 8 === 3; // a young person: KJA Bonn
  const county = i % 11 === 5; // a case of the county's own post (Integration Point)
  const municipality = MUNICIPALITIES[i % MUNICIPALITIES.length]!;
  const organisation = county ? 'kreis-kim' : young ? 'kja' : ADULT[municipality]!;
  const stage = STAGES[i % STAGES.length]!;
  return {
    caseManager: CM[organisation]!,
    countyPost: county,
    municipality,
    birthDate: young ? `${new Date().getFullYear() - 14 - (i % 3)}-0${(i % 9) + 1}-1${i % 9}` : `${1970 + (i % 30)}-0${(i % 9) + 1}-2${i % 8}`,
    source: county ? 'jobcenter' : (['self', 'outreach', 'volunteers', 'youth_office', 'other'] as const)[i % 5]!,
    stage,
    consent: i % 2 === 0,
    contacts: CONTACTS.slice(i % 5, (i % 5) + 1 + (i % 3)),
    lifeAreas: AREAS[i % 3]!,
    goal: GOALS[i % GOALS.length]!,
    referral: REFERRALS[i % REFERRALS.length],
    reviewOutcome: i % 3 === 0 ? 'continue' : undefined,
  };
}

/** 48 cases; the last ones are given the special endings (closure, reopening, transfer, hold, sharing). */
export const DEMO_PLAN: DemoCasePlan[] = Array.from({ length: 48 }, (_, i) => plan(i));
const special = (i: number, extra: Partial<DemoCasePlan>) => Object.assign(DEMO_PLAN[i]!, extra);
special(4, { stage: 'review', closure: 'goals_achieved', end: 'closed' });
special(9, { stage: 'review', closure: 'goals_achieved', end: 'reopened' });
special(14, { stage: 'review', closure: 'handed_to_regular_service', end: 'pending' });
special(19, { stage: 'referral', closure: 'moved_away', end: 'pending' });
special(24, { stage: 'review', closure: 'goals_achieved', end: 'closed' });
special(29, { stage: 'goal_planning', onHold: true });
special(34, { stage: 'assessment', transferTo: 'caritas-euskirchen' });
special(39, { stage: 'referral', sharing: { partner: 'jobcenter', withdraw: false } });
special(44, { stage: 'goal_planning', sharing: { partner: 'jobcenter', withdraw: true } });
// A transfer must leave the case manager's own organisation.
if (DEMO_PLAN[34]!.caseManager === CM['caritas-euskirchen']) DEMO_PLAN[34]!.transferTo = 'drk';

export interface DemoHandoverPlan {
  person: { givenName: string; familyName: string; birthDate: string; municipality: string };
  permits: string[];
  /** Who receives it by the routing rules (their case manager schedules the meeting and takes over). */
  receiver: string;
  end: 'awaiting_consent' | 'consent_given' | 'meeting_scheduled' | 'handed_over' | 'refused' | 'cancelled';
}

const handover = (givenName: string, municipality: string, permits: string[], end: DemoHandoverPlan['end']): DemoHandoverPlan => ({
  person: { givenName, familyName: 'Übergabe-Beispiel', birthDate: '1988-04-12', municipality },
  permits,
  receiver: CM[ADULT[municipality]!]!,
  end,
});

/** One handover per end state; the one awaiting consent lapses live after the demo consent period. */
export const HANDOVER_PLAN: DemoHandoverPlan[] = [
  handover('Hamid', 'Kall', ['§25b'], 'awaiting_consent'),
  handover('Selin', 'Euskirchen', ['§25a'], 'consent_given'),
  handover('Tigist', 'Schleiden', ['§104c'], 'meeting_scheduled'),
  handover('Omar', 'Zülpich', ['§19d'], 'handed_over'),
  handover('Rana', 'Mechernich', ['§60c'], 'refused'),
  handover('Viktor', 'Weilerswist', ['§16g'], 'cancelled'),
];
