// The handler of `set-residence-track` (process rules 9): the residence-law track of the case and its expiry
// deadline. The decisions themselves are the pure functions of residence-track.ts; this applies them to the case.
import { armDeadline, cancelDeadlines, isPending, meetDeadlines, moveDeadline, residenceExpiryLeadDays } from './deadlines.js';
import { fail, todayOf, type HandlerContext, type Handlers } from './case-decide-context.js';
import { planExpiryDeadline, residenceTrackErrors, residenceTrackOf, residenceTrackSummary } from './residence-track.js';

/** A run on older rules takes this request with the track (the workflow records a patch marker for it). */
export function usesResidenceTrack(action: string): boolean {
  return action === 'set-residence-track';
}

const isExpiry = (d: { kind: string }) => d.kind === 'residence_expiry';

export const residenceHandlers: Pick<Handlers, 'set-residence-track'> = {
  'set-residence-track'(h: HandlerContext, p) {
    if (!h.residenceTrack) return fail('currentTitle', 'Die aufenthaltsrechtliche Situation kann für diesen Fall noch nicht erfasst werden.');
    const today = todayOf(h);
    const errors = residenceTrackErrors(p, today);
    if (Object.keys(errors).length > 0) return errors;
    const { c } = h;
    const previous = c.residenceLaw?.track;
    const track = residenceTrackOf(p, h.now, h.actor.id);
    // The handover's facts stay beside the track (one model, case-model.ts CaseResidenceLaw).
    c.residenceLaw = c.residenceLaw ? { ...c.residenceLaw, track } : { permits: [], notes: '', recordedAt: h.now, track };
    const { setAt: _at, setBy: _by, ...data } = track;
    h.emit('residence_track_set', residenceTrackSummary(track), data);

    const ops = { ...h.ops, paused: false };
    const pending = c.deadlines.find((d) => isExpiry(d) && isPending(d));
    const plan = planExpiryDeadline(pending && previous?.expiresOn ? { expiresOn: previous.expiresOn } : null, track, residenceExpiryLeadDays(h.settings.deadlines), today);
    if (plan.do === 'arm') armDeadline(c.deadlines, { kind: 'residence_expiry', dueAt: plan.times.dueAt, escalateAt: plan.times.escalateAt }, ops);
    if (plan.do === 'move' && pending) moveDeadline(pending, plan.times.dueAt, plan.times.escalateAt, ops);
    if (plan.do === 'meet') meetDeadlines(c.deadlines, isExpiry, ops);
    if (plan.do === 'cancel') cancelDeadlines(c.deadlines, isExpiry, 'Ablaufdatum entfällt oder liegt in der Vergangenheit', ops);
    return undefined;
  },
};
