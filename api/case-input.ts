// INTERIM until domain/ lands: request schema for opening a case and the provider proposal.
import { z } from 'zod';

export const municipalities = [
  'Bad Münstereifel', 'Blankenheim', 'Dahlem', 'Euskirchen', 'Hellenthal', 'Kall',
  'Mechernich', 'Nettersheim', 'Schleiden', 'Weilerswist', 'Zülpich',
] as const;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Datum im Format JJJJ-MM-TT').refine((s) => {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}, 'Ungültiges Datum');

export const createCaseSchema = z.object({
  person: z.object({
    givenName: z.string().trim().min(1, 'Pflichtfeld'),
    familyName: z.string().trim().min(1, 'Pflichtfeld'),
    birthDate: isoDate,
    municipality: z.enum(municipalities, { message: 'Unbekannte Kommune im Kreis Euskirchen' }),
    languages: z.array(z.string().trim().min(1)).default([]),
  }),
  source: z.enum(['self', 'outreach', 'jobcenter', 'abh', 'youth_office', 'volunteers', 'other']),
  note: z.string().max(2000).optional(),
});

export function zodFields(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '_';
    fields[key] ??= issue.message;
  }
  return fields;
}

const byMunicipality: Record<string, string> = {
  Schleiden: 'caritas-eifel', Hellenthal: 'caritas-eifel', Dahlem: 'caritas-eifel', Blankenheim: 'caritas-eifel',
  Mechernich: 'caritas-eifel', Euskirchen: 'caritas-euskirchen', 'Bad Münstereifel': 'caritas-euskirchen',
  Kall: 'drk', Zülpich: 'drk', Nettersheim: 'drk', Weilerswist: 'drk',
};

export function proposeProvider(municipality: string, birthDate: string, on: Date) {
  const birth = new Date(`${birthDate}T00:00:00Z`);
  let age = on.getUTCFullYear() - birth.getUTCFullYear();
  if (on.getUTCMonth() < birth.getUTCMonth() || (on.getUTCMonth() === birth.getUTCMonth() && on.getUTCDate() < birth.getUTCDate())) age--;
  if (age >= 6 && age < 18) return { organisationId: 'kja', reason: `Alter ${age}: KJA Bonn (kreisweit, 6–27 Jahre)` };
  return { organisationId: byMunicipality[municipality] ?? 'kreis-kim', reason: `Wohnort ${municipality}` };
}
