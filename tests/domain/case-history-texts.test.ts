// The history as people read it: every step's German summary (what "Fallverlauf" and the access log show) and every
// refusal's German message, for a case walked through all actions and deadline firings. Written out by hand-checked
// text, so a changed or lost word fails here (mutation testing found these texts unguarded).
import { describe, expect, it } from 'vitest';
import { caseTimers, decide, onDeadlineFired, type CaseAction } from '../../domain/index.js';
import { CaseDriver, admin, cmDrk, cmEifel, coordinator, goal, toGoalPlanning, withConsents } from './helpers.js';

/** Moves the clock and fires every timer that falls due meanwhile, as the workflow does. */
function fire(d: CaseDriver, days: number) {
  d.advance(days);
  for (let t = caseTimers(d.c)[0]; t && Date.parse(t.at) <= Date.parse(d.now); t = caseTimers(d.c)[0]) {
    const r = onDeadlineFired(d.c, t.deadlineId, t.phase, t.at);
    d.c = r.next;
    d.events.push(...r.events);
  }
}

describe('the history in plain German', () => {
  it('summarises every step, deadline and notification', () => {
    const d = new CaseDriver();
    const share = withConsents(d);
    d.do('assign', { assigneeId: cmDrk.id }, coordinator);
    d.do('confirm-provider', { organisationId: 'drk' });
    d.do('start-assessment');
    fire(d, 3);
    d.do('record-contact', { kind: 'counselling', date: '2025-03-06', durationMinutes: 45 });
    d.do('complete-assessment', { lifeAreas: [{ area: 'language', situation: 'A1', need: 'high' }, { area: 'work', situation: 'x', need: 'low' }] });
    d.do('agree-goals', { goals: [goal('Deutschkurs B1', '2026-12-31'), goal('Wohnung', '2026-06-30')] });
    d.do('update-goal', { goalId: d.c.goals[0]!.id, status: 'open', dueDate: '2027-01-31' });
    d.do('update-goal', { goalId: d.c.goals[1]!.id, status: 'dropped' });
    d.do('refer', { service: 'Schuldnerberatung', partnerName: 'Caritas', consentId: share });
    d.do('record-referral-outcome', { referralId: d.c.referrals[0]!.id, outcome: 'accepted' });
    d.do('put-on-hold', { reason: 'Krankenhaus' });
    fire(d, 10);
    d.do('resume', { note: 'zurück' });
    d.do('start-review');
    d.do('complete-review', { outcome: 'continue' });
    d.do('request-closure', { reason: 'goals_achieved', goalAttainment: 'achieved' });
    d.do('request-closure', { reason: 'moved_away', goalAttainment: 'partly' });
    d.do('approve-closure', {}, coordinator);
    fire(d, 5);
    d.do('reopen', { reason: 'meldet sich wieder' });
    d.do('transfer', { organisationId: 'caritas-eifel', assigneeId: cmEifel.id, reason: 'Umzug' }, coordinator);
    d.do('withdraw-consent', { consentId: share }, cmEifel);
    fire(d, 200);
    expect(d.events.map((e) => [e.type, e.summary])).toEqual([
      ['case_opened', 'Fall eröffnet (Zülpich), Trägervorschlag: DRK'],
      ['deadline_set', 'Frist gesetzt: Erster Assessment-Schritt (fällig 17.03.2025)'],
      ['deadline_set', 'Frist gesetzt: Kontakt (kein Kontakt dokumentiert) (fällig 28.04.2025)'],
      ['consent_recorded', 'Einwilligung erteilt: Datenverarbeitung'],
      ['consent_recorded', 'Einwilligung erteilt: Weitergabe an Partner (Schuldnerberatung Euskirchen)'],
      ['case_assigned', 'Fall zugewiesen'],
      ['provider_confirmed', 'Trägervorschlag bestätigt: DRK'],
      ['assessment_started', 'Assessment begonnen'],
      ['deadline_met', 'Frist erfüllt: Erster Assessment-Schritt (fällig 17.03.2025)'],
      ['deadline_set', 'Frist gesetzt: Abschluss des Assessments (fällig 31.03.2025)'],
      ['contact_recorded', 'Kontakt erfasst: Beratung am 06.03.2025 (45 Min.)'],
      ['deadline_met', 'Frist erfüllt: Kontakt (kein Kontakt dokumentiert) (fällig 28.04.2025)'],
      ['deadline_set', 'Frist gesetzt: Kontakt (kein Kontakt dokumentiert) (fällig 01.05.2025)'],
      ['assessment_completed', 'Assessment abgeschlossen (2 Lebensbereiche, 1 mit hohem Bedarf)'],
      ['deadline_met', 'Frist erfüllt: Abschluss des Assessments (fällig 31.03.2025)'],
      ['deadline_set', 'Frist gesetzt: Zielvereinbarung (fällig 20.03.2025)'],
      ['goals_agreed', '2 Ziel(e) vereinbart'],
      ['deadline_met', 'Frist erfüllt: Zielvereinbarung (fällig 20.03.2025)'],
      ['deadline_set', 'Frist gesetzt: Zieltermin (fällig 31.12.2026)'],
      ['deadline_set', 'Frist gesetzt: Zieltermin (fällig 30.06.2026)'],
      ['deadline_set', 'Frist gesetzt: Regelmäßige Überprüfung (fällig 04.06.2025)'],
      ['goal_updated', 'Ziel aktualisiert: Deutschkurs B1 (offen, neuer Termin 31.01.2027)'],
      ['deadline_moved', 'Frist verschoben vom 31.12.2026: Zieltermin (fällig 31.01.2027)'],
      ['goal_updated', 'Ziel aktualisiert: Wohnung (verworfen)'],
      ['deadline_cancelled', 'Frist aufgehoben (Ziel verworfen): Zieltermin (fällig 30.06.2026)'],
      ['referral_sent', 'Vermittlung an Schuldnerberatung (Caritas)'],
      ['deadline_set', 'Frist gesetzt: Nachfrage zur Vermittlung (fällig 20.03.2025)'],
      ['referral_outcome_recorded', 'Vermittlung Schuldnerberatung: angenommen'],
      ['deadline_met', 'Frist erfüllt: Nachfrage zur Vermittlung (fällig 20.03.2025)'],
      ['case_put_on_hold', 'Fall pausiert: Krankenhaus'],
      ['deadline_suspended', 'Frist ruht (Fall pausiert): Kontakt (kein Kontakt dokumentiert) (fällig 01.05.2025)'],
      ['deadline_suspended', 'Frist ruht (Fall pausiert): Zieltermin (fällig 31.01.2027)'],
      ['deadline_suspended', 'Frist ruht (Fall pausiert): Regelmäßige Überprüfung (fällig 04.06.2025)'],
      ['case_resumed', 'Fall fortgesetzt (pausiert seit 06.03.2025)'],
      ['deadline_rearmed', 'Frist läuft wieder (Restlaufzeit unverändert): Kontakt (kein Kontakt dokumentiert) (fällig 11.05.2025)'],
      ['deadline_rearmed', 'Frist läuft wieder (Termin bleibt): Zieltermin (fällig 31.01.2027)'],
      ['deadline_rearmed', 'Frist läuft wieder (Restlaufzeit unverändert): Regelmäßige Überprüfung (fällig 14.06.2025)'],
      ['review_started', 'Überprüfung begonnen'],
      ['review_completed', 'Überprüfung abgeschlossen: Weiter wie bisher'],
      ['deadline_met', 'Frist erfüllt: Regelmäßige Überprüfung (fällig 14.06.2025)'],
      ['deadline_set', 'Frist gesetzt: Regelmäßige Überprüfung (fällig 14.06.2025)'],
      ['closure_requested', 'Abschluss beantragt: Ziele erreicht'],
      ['deadline_suspended', 'Frist ruht (Abschlussantrag liegt vor): Kontakt (kein Kontakt dokumentiert) (fällig 11.05.2025)'],
      ['deadline_suspended', 'Frist ruht (Abschlussantrag liegt vor): Zieltermin (fällig 31.01.2027)'],
      ['deadline_suspended', 'Frist ruht (Abschlussantrag liegt vor): Regelmäßige Überprüfung (fällig 14.06.2025)'],
      ['deadline_set', 'Frist gesetzt: Entscheidung über den Abschlussantrag (fällig 23.03.2025)'],
      ['closure_requested', 'Abschluss beantragt (ersetzt früheren Antrag): Weggezogen'],
      ['deadline_cancelled', 'Frist aufgehoben (Antrag ersetzt): Entscheidung über den Abschlussantrag (fällig 23.03.2025)'],
      ['deadline_set', 'Frist gesetzt: Entscheidung über den Abschlussantrag (fällig 23.03.2025)'],
      ['deadline_cancelled', 'Frist aufgehoben (Abschluss freigegeben): Entscheidung über den Abschlussantrag (fällig 23.03.2025)'],
      ['closure_approved', 'Abschluss freigegeben: Weggezogen'],
      ['case_closed', 'Fall abgeschlossen: Weggezogen'],
      ['deadline_cancelled', 'Frist aufgehoben (Fall abgeschlossen): Kontakt (kein Kontakt dokumentiert) (fällig 11.05.2025)'],
      ['deadline_cancelled', 'Frist aufgehoben (Fall abgeschlossen): Zieltermin (fällig 31.01.2027)'],
      ['deadline_cancelled', 'Frist aufgehoben (Fall abgeschlossen): Regelmäßige Überprüfung (fällig 14.06.2025)'],
      ['deadline_set', 'Frist gesetzt: Aufbewahrungsfrist (fällig 16.03.2028)'],
      ['case_reopened', 'Fall wiedereröffnet (Monitoring/Überprüfung): meldet sich wieder'],
      ['deadline_cancelled', 'Frist aufgehoben (Fall wiedereröffnet): Aufbewahrungsfrist (fällig 16.03.2028)'],
      ['deadline_set', 'Frist gesetzt: Regelmäßige Überprüfung (fällig 19.06.2025)'],
      ['deadline_set', 'Frist gesetzt: Kontakt (kein Kontakt dokumentiert) (fällig 16.05.2025)'],
      ['case_transferred', 'Fall übertragen an Caritas Eifel: Umzug'],
      ['consent_withdrawn', 'Einwilligung widerrufen'],
      ['referral_stopped', 'Vermittlung gestoppt (Einwilligung widerrufen): Schuldnerberatung'],
      ['deadline_missed', 'Frist überschritten: Kontakt (kein Kontakt dokumentiert) (fällig 16.05.2025)'],
      ['reminder_sent', 'Erinnerung an die fallführende Person: Kontakt (kein Kontakt dokumentiert) (fällig 16.05.2025)'],
      ['escalation_sent', 'Eskalation an die KIM-Koordination: Kontakt (kein Kontakt dokumentiert) (fällig 16.05.2025)'],
      ['deadline_missed', 'Frist überschritten: Regelmäßige Überprüfung (fällig 19.06.2025)'],
      ['reminder_sent', 'Erinnerung an die fallführende Person: Regelmäßige Überprüfung (fällig 19.06.2025)'],
      ['escalation_sent', 'Eskalation an die KIM-Koordination: Regelmäßige Überprüfung (fällig 19.06.2025)'],
    ]);
  });
});

describe('refusals in plain German', () => {
  it('names the reason or the field for each kind of refusal', () => {
    const d = new CaseDriver();
    const refusal = (action: string, payload: unknown = {}, actor = cmDrk) => {
      const r = d.try(action as CaseAction, payload, actor);
      if (r.ok) return expect.fail(`${action} was not refused`);
      return r.error.code === 'validation_failed'
        ? { code: r.error.code, message: r.error.message, fields: r.error.fields }
        : { code: r.error.code, message: r.error.message };
    };
    const invalid = (fields: Record<string, string>) => ({ code: 'validation_failed', message: 'Die Eingaben sind unvollständig oder ungültig.', fields });
    expect(refusal('record-contact', { kind: 'phone', date: d.now, durationMinutes: 5 }, admin)).toEqual({ code: 'forbidden', message: 'Die Verwaltung/IT hat keinen Zugriff auf Fallinhalte.' });
    expect(refusal('fly')).toEqual(invalid({ action: 'Unbekannte Aktion' }));
    expect(refusal('start-review')).toEqual({ code: 'transition_not_allowed', message: '„Überprüfung beginnen“ ist im Status „Erstberatung/Zugang“ nicht möglich.' });
    expect(refusal('withdraw-consent', { consentId: 'nope' })).toEqual({
      code: 'transition_not_allowed',
      message: 'Es liegt keine wirksame Einwilligung vor, die widerrufen werden könnte.',
    });
    expect(refusal('confirm-provider', { organisationId: 'kja' })).toEqual(invalid({ overrideReason: 'Pflichtfeld, wenn vom Trägervorschlag abgewichen wird' }));
    expect(refusal('transfer', { organisationId: 'drk', reason: 'x' }, coordinator)).toEqual(
      invalid({ organisationId: 'Der Fall liegt bereits bei dieser Organisation (für Personenwechsel „Zuweisen“ nutzen)' }),
    );
    const unknownOrg = decide(d.c, { action: 'confirm-provider', payload: { organisationId: 'nope', overrideReason: 'x' } }, { now: d.now, actor: cmDrk, newId: d.newId, knownOrganisationIds: ['drk'] });
    expect(unknownOrg).toMatchObject({ ok: false, error: invalid({ organisationId: 'Unbekannte Organisation' }) });

    const share = withConsents(d);
    toGoalPlanning(d);
    d.do('agree-goals', { goals: [goal()] });
    expect(refusal('update-goal', { goalId: 'nope', status: 'achieved' })).toEqual(invalid({ goalId: 'Unbekanntes Ziel' }));
    expect(refusal('update-goal', { goalId: d.c.goals[0]!.id, status: 'open', dueDate: '2020-01-01' })).toEqual(invalid({ dueDate: 'Zieltermin liegt in der Vergangenheit' }));
    expect(refusal('refer', { service: 'X', consentId: 'nope' })).toEqual(invalid({ consentId: 'Unbekannte Einwilligung' }));
    expect(refusal('refer', { service: 'X', dueDate: '2020-01-01' })).toEqual(invalid({ dueDate: 'Termin liegt in der Vergangenheit' }));
    d.do('refer', { service: 'X', consentId: share });
    const referralId = d.c.referrals[0]!.id;
    d.do('record-referral-outcome', { referralId, outcome: 'accepted' });
    expect(refusal('record-referral-outcome', { referralId, outcome: 'accepted' })).toEqual(invalid({ outcome: 'Ergebnis ist bereits erfasst' }));
    expect(refusal('record-referral-outcome', { referralId: 'nope', outcome: 'declined' })).toEqual(invalid({ referralId: 'Unbekannte Vermittlung' }));
    d.do('record-referral-outcome', { referralId, outcome: 'completed' });
    expect(refusal('record-referral-outcome', { referralId, outcome: 'declined' })).toEqual({ code: 'transition_not_allowed', message: 'Es gibt keine offene Vermittlung.' });
    d.do('withdraw-consent', { consentId: share });
    expect(refusal('refer', { service: 'X', consentId: share })).toEqual(invalid({ consentId: 'Diese Einwilligung ist nicht (mehr) wirksam' }));
  });
});
