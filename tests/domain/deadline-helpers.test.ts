// Small deadline and validation helpers that mutation testing found unexercised: which statuses count as overdue,
// which deadline is the earliest, and the German messages for malformed and unknown fields.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { earliestActive, isOverdue, parseWith, type Deadline } from '../../domain/index.js';

const deadline = (id: string, status: Deadline['status'], dueAt: string): Deadline =>
  ({ id, kind: 'first_assessment', dueAt, status, setAt: '2025-03-01T09:00:00.000Z' }) as Deadline;

describe('isOverdue', () => {
  it('is true for reminded, escalated and missed deadlines only', () => {
    const statuses: Array<[Deadline['status'], boolean]> = [
      ['open', false],
      ['reminded', true],
      ['escalated', true],
      ['missed', true],
      ['met', false],
      ['cancelled', false],
      ['suspended', false],
    ];
    for (const [status, overdue] of statuses) expect(isOverdue(deadline('d', status, '2025-03-10T09:00:00.000Z')), status).toBe(overdue);
  });
});

describe('earliestActive', () => {
  it('picks the earliest open or overdue deadline, the first of two equal ones, and none when all are done', () => {
    const list = [
      deadline('later', 'open', '2025-04-01T09:00:00.000Z'),
      deadline('done', 'met', '2025-03-01T09:00:00.000Z'),
      deadline('first', 'reminded', '2025-03-15T09:00:00.000Z'),
      deadline('same', 'open', '2025-03-15T09:00:00.000Z'),
    ];
    expect(earliestActive(list)?.id).toBe('first');
    expect(earliestActive([deadline('done', 'met', '2025-03-01T09:00:00.000Z')])).toBeNull();
  });
});

describe('German messages of the request checks', () => {
  it('names a malformed value, unknown fields and any other refusal', () => {
    const schema = z.strictObject({ email: z.email(), size: z.number().refine((n) => n % 2 === 0) });
    const r = parseWith(schema, { email: 'keine-adresse', size: 3, extra: 1, more: 2 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.fields).toMatchObject({ email: 'Ungültiges Format', size: 'Ungültiger Wert' });
    expect(Object.values(r.fields)).toContain('Unbekannte Felder: extra, more');
  });
});
