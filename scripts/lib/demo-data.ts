// The living demo of `npm start`: on an empty database (no case, no earlier demo) and never with NODE_ENV=production,
// a demo data set is made through the real operations and workflows — intakes, consents, assessments, goals,
// referrals and outcomes, contacts of every kind, reviews, transfers, closure requests, a closed and a reopened case,
// ABH handovers in every state — by the demo accounts, exactly as staff would through the API.
//
// The past is not faked. Nothing is back-dated; instead the demo installation runs its deadlines on a demo clock of
// one minute per configured day (platform/settings.ts DEMO_CASE_SETTINGS_KEY): first-assessment reminders fall due
// 14 minutes after the first start, escalations 7 minutes later, unanswered handover consents lapse after 14 minutes,
// so overdue lists, reminders in /mail, the dashboard and the Fallverlauf fill up live. Saving the Fristen page
// replaces the demo clock with real periods for every deadline armed afterwards. See README "Demo-Daten".
import type { Caller, OperationDeps } from '../../api/operations/caller.js';
import { runCaseAction } from '../../api/operations/case-acts.js';
import { openCase } from '../../api/operations/cases.js';
import { proposeHandover, runHandoverAction } from '../../api/operations/handovers.js';
import type { ActorRole } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import { saveDemoCaseSettings } from '../../platform/settings.js';
import { DEMO_PEOPLE, DEMO_PLAN, HANDOVER_PLAN, type DemoCasePlan, type DemoStage } from './demo-plan.js';

export const DEMO_MARKER_KEY = 'demo';

export type DemoOutcome = { created: false; reason: string } | { created: true; cases: number; handovers: number };

async function callerFor(db: Database, email: string): Promise<Caller> {
  const u = await db.user.findUniqueOrThrow({ where: { email } });
  return { user: { id: u.id, email: u.email, name: u.name, role: u.role as ActorRole, organisationId: u.organisationId, via: 'session' }, channel: 'api', purpose: 'Demo-Daten' };
}

const nowIso = () => new Date().toISOString();
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** Whether the demo is made: not in production, no case yet, no earlier demo, the demo accounts exist. */
export async function demoWanted(db: Database, production: boolean): Promise<string | null> {
  if (production) return 'NODE_ENV=production';
  if (process.env.KIM_DEMO_DATA === 'off') return 'KIM_DEMO_DATA=off';
  if (await db.setting.findUnique({ where: { key: DEMO_MARKER_KEY } })) return 'Demo-Daten wurden bereits angelegt';
  if ((await db.case.count()) > 0) return 'die Datenbank enthält bereits Fälle';
  if (!(await db.user.findUnique({ where: { email: 'koordination@kim.example' } }))) return 'keine Demo-Konten';
  return null;
}

/** Makes the demo once; `log` gets progress lines. */
export async function createDemoData(
  deps: OperationDeps,
  options: { production: boolean; log?: (line: string) => void; signal?: AbortSignal },
): Promise<DemoOutcome> {
  const { db } = deps;
  const reason = await demoWanted(db, options.production);
  if (reason) return { created: false, reason };
  // The marker first: an interrupted run is not repeated on top of itself at the next start.
  await db.setting.create({ data: { key: DEMO_MARKER_KEY, value: { startedAt: nowIso(), dayAsMinutes: true } } });
  await saveDemoCaseSettings(db);
  const coordinator = await callerFor(db, 'koordination@kim.example');
  let cases = 0;
  for (const [index, plan] of DEMO_PLAN.entries()) {
    options.signal?.throwIfAborted();
    await demoCase(deps, plan, DEMO_PEOPLE[index % DEMO_PEOPLE.length]!, coordinator);
    cases++;
    if (cases % 10 === 0) options.log?.(`Demo-Daten: ${cases} von ${DEMO_PLAN.length} Fällen angelegt`);
  }
  let handovers = 0;
  const abh = await callerFor(db, 'abh@kim.example');
  for (const plan of HANDOVER_PLAN) {
    options.signal?.throwIfAborted();
    await demoHandover(deps, abh, plan);
    handovers++;
  }
  await db.setting.update({ where: { key: DEMO_MARKER_KEY }, data: { value: { startedAt: nowIso(), dayAsMinutes: true, cases, handovers } } });
  return { created: true, cases, handovers };
}

const STAGE_ORDER: DemoStage[] = ['intake', 'assessment', 'goal_planning', 'referral', 'review'];
const reached = (plan: DemoCasePlan, stage: DemoStage) => STAGE_ORDER.indexOf(plan.stage) >= STAGE_ORDER.indexOf(stage);

async function demoCase(deps: OperationDeps, plan: DemoCasePlan, person: { givenName: string; familyName: string; languages: string[] }, coordinator: Caller) {
  const cm = await callerFor(deps.db, plan.caseManager);
  // Intake by coordination (the Erstberatung), then the responsible provider confirms and works the case.
  const opened = await openCase(deps, coordinator, {
    person: { ...person, birthDate: plan.birthDate, municipality: plan.municipality },
    source: plan.source,
    note: 'Demo-Fall (erfundene Person)',
  });
  const id = (opened as { id: string }).id;
  const act = (action: string, payload: Record<string, unknown> = {}, who: Caller = cm) => runCaseAction(deps, who, id, action, payload);
  if (plan.countyPost) {
    await act('confirm-provider', { organisationId: 'kreis-kim', overrideReason: 'Demo: Kundin/Kunde des Integration Point, bleibt beim KIM-Team' }, coordinator);
  } else {
    await act('confirm-provider', { organisationId: cm.user.organisationId });
  }
  await act('assign', { assigneeId: cm.user.id });
  // Sent by the Integration Point: the first appointment is held together with it (concept section 3).
  if (plan.source === 'jobcenter') await act('record-contact', { kind: 'joint_first_appointment', date: nowIso(), durationMinutes: 60, note: 'Demo: gemeinsamer Ersttermin' });
  for (const kind of plan.contacts) await act('record-contact', { kind, date: nowIso(), durationMinutes: 30, note: 'Demo-Kontakt' });
  await advance(act, plan);
  await finish(act, plan, coordinator);
}

/** Consent, assessment, goals, referral and review, as far as the plan's stage. */
async function advance(act: Act, plan: DemoCasePlan) {
  if (plan.stage === 'intake' && !plan.consent) return;
  await act('record-consent', { scope: 'data_processing', decision: 'given', purpose: 'KIM-Fallbegleitung' });
  if (plan.sharing) await shareAndMaybeWithdraw(act, plan.sharing);
  if (!reached(plan, 'assessment')) return;
  await act('start-assessment');
  if (!reached(plan, 'goal_planning')) return;
  await act('complete-assessment', {
    lifeAreas: plan.lifeAreas.map(([area, need]) => ({ area, need, situation: `Demo: Lage im Bereich ${area}` })),
    successCriteria: demoCriteria(plan),
  });
  await act('agree-goals', { goals: [{ title: plan.goal, measure: 'Demo: nächster Schritt vereinbart', owner: 'Klient/in mit Case Management', dueDate: inDays(60) }] });
  if (reached(plan, 'referral')) await referAndRecord(act, plan);
  if (reached(plan, 'review')) {
    await act('start-review');
    if (plan.reviewOutcome) await act('complete-review', { outcome: plan.reviewOutcome, notes: 'Demo: Überprüfung mit der Klientin/dem Klienten', ...demoRating(plan, 'partly') });
  }
}

/** Measured progress in the demo (issue 16): a success criterion per assessed area, a need one level lower later. */
const CRITERION_OF_AREA: Record<string, string> = {
  language: 'language_b1',
  housing: 'own_flat',
  work: 'employment',
  education: 'training',
  residence_law: 'residence_secured',
  finances: 'debts_regulated',
  health: 'health_care',
  social_participation: 'social_network',
};
const demoCriteria = (plan: DemoCasePlan) => [...new Set(plan.lifeAreas.flatMap(([area]) => CRITERION_OF_AREA[area] ?? []))];

function demoRating(plan: DemoCasePlan, rating: 'partly' | 'reached') {
  const needs = Object.fromEntries(plan.lifeAreas.map(([area, need]) => [area, need === 'high' ? 'low' : 'none']));
  const criteria = Object.fromEntries(demoCriteria(plan).map((_, i) => [`k${i + 1}`, i === 0 ? rating : 'partly']));
  return { needs, criteria };
}

type Act = (action: string, payload?: Record<string, unknown>, who?: Caller) => Promise<unknown>;

async function shareAndMaybeWithdraw(act: Act, sharing: NonNullable<DemoCasePlan['sharing']>) {
  const result = (await act('record-consent', {
    scope: 'share_with_partner',
    decision: 'given',
    partnerOrganisationId: sharing.partner,
    purpose: 'Demo: Abstimmung mit dem Jobcenter',
  })) as { data: { consents: { id: string; scope: string }[] } };
  if (!sharing.withdraw) return;
  const consentId = result.data.consents.filter((c) => c.scope === 'share_with_partner').at(-1)!.id;
  await act('withdraw-consent', { consentId });
}

async function referAndRecord(act: Act, plan: DemoCasePlan) {
  const result = (await act('refer', { service: plan.referral!.service, partnerName: plan.referral!.partnerName })) as { data: { referrals: { id: string }[] } };
  if (plan.referral!.outcome) {
    await act('record-referral-outcome', { referralId: result.data.referrals.at(-1)!.id, outcome: plan.referral!.outcome, reason: 'Demo' });
  }
}

async function finish(act: Act, plan: DemoCasePlan, coordinator: Caller) {
  if (plan.onHold) await act('put-on-hold', { reason: 'Demo: Klient/in vorübergehend nicht erreichbar' });
  if (plan.transferTo) await act('transfer', { organisationId: plan.transferTo, reason: 'Demo: Umzug in eine andere Kommune' });
  if (!plan.closure) return;
  const achieved = plan.closure === 'goals_achieved';
  // The final rating (issue 16) only where the case got as far as the assessment.
  const rating = reached(plan, 'goal_planning') ? demoRating(plan, achieved ? 'reached' : 'partly') : {};
  await act('request-closure', { reason: plan.closure, goalAttainment: achieved ? 'achieved' : 'partly', note: 'Demo', ...rating });
  if (plan.end === 'pending') return;
  await act('approve-closure', { note: 'Demo: Abschluss freigegeben' }, coordinator);
  if (plan.end === 'reopened') await act('reopen', { reason: 'Demo: erneuter Unterstützungsbedarf' });
}

async function demoHandover(deps: OperationDeps, abh: Caller, plan: (typeof HANDOVER_PLAN)[number]) {
  const created = (await proposeHandover(deps, abh, {
    person: { ...plan.person, languages: ['ar'] },
    residenceLaw: { permits: plan.permits, notes: 'Demo-Angaben' },
    reason: 'Demo: höherer Unterstützungsbedarf, Übergabe ins KIM Case Management',
  })) as { id: string };
  const act = async (who: Caller, action: string, payload: Record<string, unknown> = {}) => runHandoverAction(deps, who, created.id, action as never, payload);
  if (plan.end === 'awaiting_consent') return;
  if (plan.end === 'cancelled') return void (await act(abh, 'cancel', { reason: 'Demo: Klient/in hat sich anders entschieden' }));
  await act(abh, 'record-consent', { decision: plan.end === 'refused' ? 'refused' : 'given' });
  if (plan.end === 'refused' || plan.end === 'consent_given') return;
  const receiver = await callerFor(deps.db, plan.receiver);
  await act(receiver, 'schedule-meeting', { at: new Date(Date.now() + 2 * 86_400_000).toISOString(), participants: ['Klient/in', 'Sozialberatung ABH', 'Case Management'] });
  if (plan.end === 'meeting_scheduled') return;
  await act(abh, 'complete-meeting', { notes: 'Demo: Übergabegespräch geführt' });
  await act(receiver, 'accept', { assigneeId: receiver.user.id });
}
