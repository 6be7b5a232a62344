import express, { type Router } from 'express';
import { z } from 'zod';
import type { RtcEndpoint } from './endpoint';

const OfferSchema = z.object({ sdp: z.string().min(1) });

/**
 * `/sim/rtc` on the control API: the browser sessions and their calls (with both sides' SDP), and
 * a far-end offer to use for the next invite to a SIP username.
 */
export function rtcControlRouter(ctx: { controlKey: () => string; endpoint: RtcEndpoint }): Router {
  const router = express.Router();
  router.use((req, res, next) => {
    const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (!match || match[1]!.trim() !== ctx.controlKey()) {
      res.status(401).json({ error: 'missing or wrong bearer key' });
      return;
    }
    next();
  });
  router.use(express.json({ limit: '1mb' }));

  router.get('/', (_req, res) => {
    res.json({ path: ctx.endpoint.path, sessions: ctx.endpoint.sessionViews() });
  });
  router.put('/users/:user/next-offer', (req, res) => {
    const body = OfferSchema.safeParse(req.body ?? {});
    if (!body.success) {
      res.status(400).json({ error: z.prettifyError(body.error) });
      return;
    }
    res.json({ queued: ctx.endpoint.queueOffer(String(req.params.user), body.data.sdp) });
  });
  return router;
}
