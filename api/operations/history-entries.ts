// How people read a case's history (api/operations/case-history.ts): which entries are deadline bookkeeping — set,
// met, moved, reminded, escalated — rather than professional steps (the page's filter "nur fachliche Einträge"), and
// which goal a goal deadline belongs to (its refId is the goal's id; the titles come from the goals_agreed events).

const BOOKKEEPING_TYPES = new Set(['reminder_sent', 'escalation_sent']);

/** Deadline bookkeeping (hidden by "nur fachliche Einträge"): every deadline_* event and the reminders/escalations sent. */
export function isDeadlineBookkeeping(type: string): boolean {
  return type.startsWith('deadline_') || BOOKKEEPING_TYPES.has(type);
}

interface HistoryEvent {
  type: string;
  summary: string;
  data: unknown;
}

/** Goal id → title, from every goal agreement of the history. */
export function goalTitles(events: readonly HistoryEvent[]): Map<string, string> {
  const titles = new Map<string, string>();
  for (const e of events) {
    if (e.type !== 'goals_agreed') continue;
    const goals = (e.data as { goals?: Array<{ id?: string; title?: string }> } | null)?.goals ?? [];
    for (const g of goals) if (g.id && g.title) titles.set(g.id, g.title);
  }
  return titles;
}

/** The summary with the goal named when the entry is about a goal's deadline ("Frist gesetzt: Zieltermin … – Ziel „Sprachkurs B1“"). */
export function summaryWithGoal(event: HistoryEvent, titles: ReadonlyMap<string, string>): string {
  const data = event.data as { kind?: string; refId?: string } | null;
  if (!data || data.kind !== 'goal_due' || !data.refId) return event.summary;
  const title = titles.get(data.refId);
  return title && !event.summary.includes(`„${title}“`) ? `${event.summary} – Ziel „${title}“` : event.summary;
}
