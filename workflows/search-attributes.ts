// Custom search attributes of case workflows, registered on the dev server by `npm start` and the tests,
// and via the operator service on an existing cluster (platform/temporal.ts).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const caseStateKey = defineSearchAttributeKey('KimCaseState', SearchAttributeType.KEYWORD);
export const caseOrganisationKey = defineSearchAttributeKey('KimOrganisation', SearchAttributeType.KEYWORD);
export const caseMunicipalityKey = defineSearchAttributeKey('KimMunicipality', SearchAttributeType.KEYWORD);
export const caseNextDeadlineKey = defineSearchAttributeKey('KimNextDeadline', SearchAttributeType.DATETIME);

export const caseSearchAttributes = [caseStateKey, caseOrganisationKey, caseMunicipalityKey, caseNextDeadlineKey];
