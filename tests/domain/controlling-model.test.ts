// Row keys of the controlling report (domain/controlling/model.ts): a case or organisation the report has no group
// for lands in the "ohne Zuordnung" row instead of failing the report.
import { describe, expect, it } from 'vitest';
import { UNASSIGNED_GROUP, caseGroupKey, organisationKey } from '../../domain/controlling/model.js';

describe('controlling row keys', () => {
  it('age band and channel from the case groups; a case without an entry is unassigned', () => {
    const caseGroups = { a: { ageBand: '18-26', channel: 'abh' } };
    expect(caseGroupKey({ groupBy: 'ageBand', caseGroups }, 'a', 'Zülpich')).toBe('18-26');
    expect(caseGroupKey({ groupBy: 'channel', caseGroups }, 'a', 'Zülpich')).toBe('abh');
    expect(caseGroupKey({ groupBy: 'ageBand', caseGroups }, 'b', 'Zülpich')).toBe(UNASSIGNED_GROUP);
    expect(caseGroupKey({ groupBy: 'channel', caseGroups }, 'b', 'Zülpich')).toBe(UNASSIGNED_GROUP);
    expect(caseGroupKey({ groupBy: 'channel' }, 'a', 'Zülpich')).toBe(UNASSIGNED_GROUP);
    expect(caseGroupKey({ groupBy: 'municipality', caseGroups }, 'a', 'Zülpich')).toBe('Zülpich');
  });

  it('organisation by id; by post from the map, unassigned without an entry', () => {
    expect(organisationKey({ groupBy: 'organisation' }, 'drk')).toBe('drk');
    expect(organisationKey({ groupBy: 'post', postOfOrganisation: { drk: 'provider' } }, 'drk')).toBe('provider');
    expect(organisationKey({ groupBy: 'post', postOfOrganisation: {} }, 'drk')).toBe(UNASSIGNED_GROUP);
    expect(organisationKey({ groupBy: 'post' }, 'drk')).toBe(UNASSIGNED_GROUP);
  });
});
