/**
 * The fixture app as an Express app on @latchkey/node's middleware: the same
 * routes and answers as `app.ts`, written the way an Express user would.
 */

import express from 'express';
import { expiryResponse } from '@latchkey/core';
import { latchkeyErrorHandler, latchkeyMiddleware, writeResponse } from '../src/index.js';
import {
  APP_COOKIE,
  createFixture,
  describeSession,
  loginForm,
  type Fixture,
} from '../../../test/scenarios/app.js';

export function createExpressApp(fixture: Fixture = createFixture()): express.Express {
  const app = express();
  app.use(express.json());
  const steer: express.RequestHandler = async (req, res) => {
    const request = new Request(`http://fixture${req.path}`, {
      method: 'POST',
      body: JSON.stringify(req.body),
    });
    await writeResponse(res, (await fixture.control(request))!);
  };
  app.post('/__clock', steer);
  app.post('/__store', steer);
  app.use(latchkeyMiddleware(fixture.latchkey));
  /** Guard: a valid session, or the core's expiry response. */
  const requireSession: express.RequestHandler = async (req, res, next) => {
    const outcome = await req.session.load();
    if (outcome.valid) return next();
    await writeResponse(res, expiryResponse(req.session.request, outcome));
  };
  app.get('/public', (_req, res) => {
    res.type('text/plain').send('public');
  });
  app.post('/login', async (req, res) => {
    const { user, rememberMe } = loginForm(req.body);
    const session = await req.session.login(user, { rememberMe });
    res.append('set-cookie', APP_COOKIE);
    res.json({ user: session.userId, handle: session.handle });
  });
  app.post('/secure-login', async (req, res) => {
    const rs = fixture.secure.forRequest(req.session.request);
    const session = await rs.login(req.body.user);
    await writeResponse(res, await rs.commit(Response.json({ user: session.userId })));
  });
  app.post('/logout', async (req, res) => {
    await req.session.logout();
    res.json({ ok: true });
  });
  app.get('/me', requireSession, (req, res) => {
    res.json(describeSession(req.session.current!));
  });
  app.post('/data', requireSession, (req, res) => {
    const session = req.session.current!;
    session.set(req.body.key, req.body.value);
    res.json(describeSession(session));
  });
  app.post('/privilege', requireSession, async (req, res) => {
    res.json(describeSession(await req.session.regenerate()));
  });
  app.get('/sensitive', requireSession, async (req, res) => {
    const check = fixture.latchkey.requireFreshAuth(req.session.current!);
    if (!check.fresh) return writeResponse(res, check.response);
    res.json({ ok: true });
  });
  app.use(latchkeyErrorHandler());
  return app;
}
