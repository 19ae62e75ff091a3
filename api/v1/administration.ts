// Administration over JSON: deadline settings (/api/v1/settings/case), the audit of administration
// (/api/v1/admin-audit), organisations and routing rules (/api/v1/organisations, /api/v1/routing-rules), record writes
// the database refused (/api/v1/admin/record-rejections).
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Database } from '../../platform/database.js';
import { callerOf } from '../http/caller.js';
import { listAdminAudit } from '../operations/admin-audit.js';
import { getCaseSettings, updateCaseSettings } from '../operations/case-settings.js';
import { createOrganisation, updateOrganisation } from '../operations/organisations.js';
import { getReportSettings, updateReportSettings } from '../operations/report-settings.js';
import { listRecordRejections, retryRecordWrite } from '../operations/record-rejections.js';
import { createRoutingRuleVersion, getRoutingRules } from '../operations/routing-rules.js';
import { createReferralCatalogueEntry, deleteReferralCatalogueEntry, listReferralCatalogue, updateReferralCatalogueEntry } from '../operations/referral-catalogue.js';

export function administrationRouter({ db, temporal }: { db: Database; temporal: Client }): Router {
  const router = Router();
  router.get('/settings/case', async (req, res) => {
    res.json(await getCaseSettings(db, callerOf(req)));
  });
  router.put('/settings/case', async (req, res) => {
    res.json(await updateCaseSettings(db, callerOf(req), req.body));
  });
  router.get('/settings/report', async (req, res) => {
    res.json(await getReportSettings(db, callerOf(req)));
  });
  router.put('/settings/report', async (req, res) => {
    res.json(await updateReportSettings(db, callerOf(req), req.body));
  });
  router.get('/admin-audit', async (req, res) => {
    res.json(await listAdminAudit(db, callerOf(req), req.query));
  });
  router.post('/organisations', async (req, res) => {
    res.status(201).json(await createOrganisation(db, callerOf(req), req.body));
  });
  router.patch('/organisations/:id', async (req, res) => {
    res.json(await updateOrganisation(db, callerOf(req), req.params.id as string, req.body));
  });
  router.get('/routing-rules', async (req, res) => {
    res.json(await getRoutingRules(db, callerOf(req)));
  });
  router.post('/routing-rules', async (req, res) => {
    res.status(201).json(await createRoutingRuleVersion(db, callerOf(req), req.body));
  });
  router.get('/admin/record-rejections', async (req, res) => {
    res.json(await listRecordRejections(db, callerOf(req), req.query));
  });
  router.post('/admin/record-rejections/:id/retry', async (req, res) => {
    res.status(202).json(await retryRecordWrite({ db, temporal }, callerOf(req), req.params.id as string));
  });
  // The referral catalogue (issue 14): read by all staff, kept by coordination and IT.
  router.get('/referral-catalogue', async (req, res) => {
    res.json(await listReferralCatalogue(db, callerOf(req), req.query as Record<string, unknown>));
  });
  router.post('/referral-catalogue', async (req, res) => {
    res.status(201).json(await createReferralCatalogueEntry(db, callerOf(req), req.body));
  });
  router.patch('/referral-catalogue/:code', async (req, res) => {
    res.json(await updateReferralCatalogueEntry(db, callerOf(req), req.params.code as string, req.body));
  });
  router.delete('/referral-catalogue/:code', async (req, res) => {
    await deleteReferralCatalogueEntry(db, callerOf(req), req.params.code as string);
    res.status(204).end();
  });
  return router;
}
