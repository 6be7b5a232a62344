import { timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import express, { type Request, type Response, type Router } from 'express';
import { DEFAULT_WEBHOOK_PATHS } from '../webhooks/webhookRouter';
import type { CallstreamMetrics } from './metrics';

export const METRICS_PATH = '/metrics';

const sameSecret = (given: string, expected: string): boolean => {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
};

/** Whether a request may read the metrics: always without a token, else `Authorization: Bearer <token>`. */
export const metricsAuthorized = (authorization: string | undefined, token: string | undefined): boolean => {
  if (token === undefined) return true;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match !== null && sameSecret(match[1], token);
};

/** GET /metrics in the Prometheus text format. */
export const createMetricsRouter = (metrics: CallstreamMetrics, options: { token?: string } = {}): Router => {
  const router = express.Router();
  router.get(METRICS_PATH, async (req: Request, res: Response) => {
    if (!metricsAuthorized(req.get('authorization'), options.token)) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: { code: 'UNAUTHENTICATED', message: 'metrics need Authorization: Bearer <CALLSTREAM_METRICS_TOKEN>' } });
      return;
    }
    const { contentType, body } = await metrics.scrape();
    res.set('Content-Type', contentType).set('Cache-Control', 'no-store').send(body);
  });
  return router;
};

/**
 * The webhook router behind a timer: every POST to a webhook path is observed with its final status
 * (callstream_webhook_request_duration_seconds), rejections and errors included.
 */
export const timeWebhookRequests = (webhooks: Router, metrics: CallstreamMetrics, paths: readonly string[] = DEFAULT_WEBHOOK_PATHS): Router => {
  const router = express.Router();
  router.post([...paths], (_req, res, next) => {
    const started = performance.now();
    res.once('finish', () => metrics.observeWebhook(res.statusCode, (performance.now() - started) / 1000));
    next();
  });
  router.use(webhooks);
  return router;
};
