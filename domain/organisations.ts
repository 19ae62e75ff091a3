// Seeded organisations, municipalities and demo accounts (shared/domain.md "Who works with the system",
// seed section 3.4 "CM bei Trägern der Freien Wohlfahrtspflege").

/** The eleven municipalities of Kreis Euskirchen. The seed lists Zülpich twice under DRK: it is one municipality. */
export const MUNICIPALITIES = [
  'Euskirchen',
  'Bad Münstereifel',
  'Schleiden',
  'Hellenthal',
  'Dahlem',
  'Blankenheim',
  'Mechernich',
  'Kall',
  'Zülpich',
  'Nettersheim',
  'Weilerswist',
] as const;
export type Municipality = (typeof MUNICIPALITIES)[number];

export function isMunicipality(value: string): value is Municipality {
  return (MUNICIPALITIES as readonly string[]).includes(value);
}

/** Case- and whitespace-tolerant lookup ("bad  münstereifel" → "Bad Münstereifel"); undefined when unknown. */
export function normaliseMunicipality(value: string): Municipality | undefined {
  const key = value.trim().replace(/\s+/g, ' ').toLowerCase();
  return MUNICIPALITIES.find((m) => m.toLowerCase() === key);
}

export const ORGANISATION_KINDS = ['county', 'abh', 'jobcenter', 'provider', 'partner'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

export interface Organisation {
  id: string;
  name: string;
  shortName: string;
  kind: OrganisationKind;
  /** The county's own KIM posts: their focus (domain/case-opening.ts COUNTY_POSTS). */
  countyPost?: 'kim_team' | 'integration_point' | 'bne' | 'abh_cm';
  /** Municipalities this organisation is responsible for (adults). Empty = county-wide. */
  municipalities: Municipality[];
  /** Only for age-bound target groups (KJA: young people aged 6 to 27). */
  ageRange?: { min: number; max: number };
}

export const ORGANISATION_IDS = [
  'kreis-kim',
  'abh',
  'jobcenter',
  'caritas-eifel',
  'caritas-euskirchen',
  'drk',
  'kja',
  'kreis-ip',
  'kreis-bne',
] as const;
export type SeededOrganisationId = (typeof ORGANISATION_IDS)[number];

export const ORGANISATIONS: readonly Organisation[] = [
  {
    id: 'kreis-kim',
    name: 'Kreis Euskirchen – KIM-Team (Kommunales Integrationszentrum)',
    shortName: 'KIM-Team Kreis',
    kind: 'county',
    countyPost: 'kim_team',
    municipalities: [],
  },
  { id: 'abh', name: 'Ausländerbehörde (Abt. 32)', shortName: 'ABH', kind: 'abh', countyPost: 'abh_cm', municipalities: [] },
  { id: 'jobcenter', name: 'Integration Point / Jobcenter', shortName: 'Jobcenter/IP', kind: 'jobcenter', municipalities: [] },
  {
    id: 'caritas-eifel',
    name: 'Caritasverband für die Region Eifel',
    shortName: 'Caritas Eifel',
    kind: 'provider',
    municipalities: ['Schleiden', 'Hellenthal', 'Dahlem', 'Blankenheim', 'Mechernich'],
  },
  {
    id: 'caritas-euskirchen',
    name: 'Caritasverband für das Kreisdekanat Euskirchen',
    shortName: 'Caritas Euskirchen',
    kind: 'provider',
    municipalities: ['Euskirchen', 'Bad Münstereifel'],
  },
  {
    id: 'drk',
    name: 'DRK Kreisverband Euskirchen',
    shortName: 'DRK',
    kind: 'provider',
    municipalities: ['Kall', 'Zülpich', 'Nettersheim', 'Weilerswist'],
  },
  {
    id: 'kja',
    name: 'Katholische Jugendagentur (KJA) Bonn',
    shortName: 'KJA Bonn',
    kind: 'provider',
    municipalities: [],
    ageRange: { min: 6, max: 27 },
  },
  // The county's KIM posts with a focus of their own (seed 3.1, 3.2): they keep the cases they open.
  { id: 'kreis-ip', name: 'Kreis Euskirchen – KIM-CM am Integration Point', shortName: 'KIM-CM Integration Point', kind: 'county', countyPost: 'integration_point', municipalities: [] },
  { id: 'kreis-bne', name: 'Kreis Euskirchen – KIM-CM BNE', shortName: 'KIM-CM BNE', kind: 'county', countyPost: 'bne', municipalities: [] },
];

export function findOrganisation(id: string): Organisation | undefined {
  return ORGANISATIONS.find((o) => o.id === id);
}

export function organisationShortName(id: string): string {
  return findOrganisation(id)?.shortName ?? id;
}

export const ACTOR_ROLES = ['case_manager', 'abh_counsellor', 'coordinator', 'admin'] as const;
export type ActorRole = (typeof ACTOR_ROLES)[number];

export const ROLE_LABELS: Record<ActorRole, string> = {
  case_manager: 'Case Manager*in',
  abh_counsellor: 'Sozialberatung ABH',
  coordinator: 'KIM-Koordination',
  admin: 'Verwaltung/IT',
};

export interface DemoAccount {
  email: string;
  name: string;
  role: ActorRole;
  organisationId: SeededOrganisationId;
}

/** Demo accounts of api.md (passwords come from DEMO_PASSWORD at seeding time, never from here). */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { email: 'koordination@kim.example', name: 'Claudia Berger', role: 'coordinator', organisationId: 'kreis-kim' },
  { email: 'abh@kim.example', name: 'Ahmet Yıldız', role: 'abh_counsellor', organisationId: 'abh' },
  { email: 'admin@kim.example', name: 'Petra Schmitz', role: 'admin', organisationId: 'kreis-kim' },
  { email: 'cm.caritas-eifel@kim.example', name: 'Miriam Hoffmann', role: 'case_manager', organisationId: 'caritas-eifel' },
  {
    email: 'cm.caritas-euskirchen@kim.example',
    name: 'Jonas Weber',
    role: 'case_manager',
    organisationId: 'caritas-euskirchen',
  },
  { email: 'cm.drk@kim.example', name: 'Sabine Krüger', role: 'case_manager', organisationId: 'drk' },
  { email: 'cm.kja@kim.example', name: 'Lea Schneider', role: 'case_manager', organisationId: 'kja' },
  { email: 'cm.kreis@kim.example', name: 'Thomas Müller', role: 'case_manager', organisationId: 'kreis-kim' },
];
