// /api/v1/accounts (staff accounts), /api/v1/password-reset and /api/v1/password (one-time links): the JSON door of
// operations/accounts.ts and operations/account-links.ts.
import { Router } from 'express';
import type { Database } from '../../platform/database.js';
import { callerOf } from '../http/caller.js';
import { requestPasswordReset, setPasswordWithLink, type AccountDeps } from '../operations/account-links.js';
import { getAccount, inviteAccount, listAccounts, resendInvitation, setAccountActive, updateAccount } from '../operations/accounts.js';

export function accountsRouter(deps: AccountDeps & { db: Database }): Router {
  const router = Router();
  const { db } = deps;

  router.get('/accounts', async (req, res) => {
    res.json(await listAccounts(db, callerOf(req)));
  });
  router.post('/accounts', async (req, res) => {
    res.status(201).json(await inviteAccount(deps, callerOf(req), req.body));
  });
  router.get('/accounts/:id', async (req, res) => {
    res.json(await getAccount(db, callerOf(req), req.params.id as string));
  });
  router.patch('/accounts/:id', async (req, res) => {
    res.json(await updateAccount(db, callerOf(req), req.params.id as string, req.body));
  });
  router.post('/accounts/:id/deactivate', async (req, res) => {
    res.json(await setAccountActive(db, callerOf(req), req.params.id as string, false));
  });
  router.post('/accounts/:id/reactivate', async (req, res) => {
    res.json(await setAccountActive(db, callerOf(req), req.params.id as string, true));
  });
  router.post('/accounts/:id/invitation', async (req, res) => {
    res.json(await resendInvitation(deps, callerOf(req), req.params.id as string));
  });

  // Public: a person without a session asks for a reset link, or sets a password with a link.
  router.post('/password-reset', async (req, res) => {
    const { message } = await requestPasswordReset(deps, req.body);
    res.set('Cache-Control', 'no-store');
    res.status(202).json({ message });
  });
  router.post('/password', async (req, res) => {
    await setPasswordWithLink(db, req.body);
    res.set('Cache-Control', 'no-store');
    res.status(204).end();
  });
  return router;
}
