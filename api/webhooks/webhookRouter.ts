import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import { WebhookIntake, type IntakeResponse, type WebhookIntakeOptions } from './webhookIntake';

export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;
/** The primary path, and the one to configure as Telnyx's failover URL on another node or port. */
export const DEFAULT_WEBHOOK_PATHS = ['/webhooks/telnyx', '/webhooks/telnyx/failover'] as const;

export interface WebhookRouterOptions extends WebhookIntakeOptions {
  maxBodyBytes?: number;
  paths?: readonly string[];
  /** Share one intake (and its dedupe cache) between routers; built from the options otherwise. */
  intake?: WebhookIntake;
}

export type WebhookRouter = Router & { readonly intake: WebhookIntake };

interface BodyParserError {
  type?: unknown;
  status?: unknown;
  message?: unknown;
}

const send = (res: Response, answer: IntakeResponse): void => {
  if (answer.headers) res.set(answer.headers);
  res.status(answer.status).json(answer.body);
};

/**
 * POST routes for Telnyx webhooks. Mount it before any JSON body parser: the signature covers the
 * raw bytes, so the body must reach the intake untouched.
 */
export const createWebhookRouter = (options: WebhookRouterOptions): WebhookRouter => {
  const intake = options.intake ?? new WebhookIntake(options);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const paths = [...(options.paths ?? DEFAULT_WEBHOOK_PATHS)];
  const router = express.Router();

  // Every content type is read as bytes: a missing or odd Content-Type must still meet the verifier.
  const rawBody = express.raw({ type: () => true, limit: maxBodyBytes });

  router.post(paths, rawBody, async (req: Request, res: Response) => {
    const body: unknown = req.body;
    send(res, await intake.handle(Buffer.isBuffer(body) ? body : Buffer.alloc(0), req.headers));
  });

  const bodyErrors: ErrorRequestHandler = (error: BodyParserError, _req, res, next) => {
    if (error.type === 'entity.too.large') {
      send(res, intake.rejectRequest(413, 'body_too_large', `the body exceeds ${maxBodyBytes} bytes`));
      return;
    }
    // Any 4xx of the body parser, typed or not: a body declared gzip, deflate or br that does not
    // decompress fails in zlib with no `type`, and must not fall through to express's HTML page.
    const status = typeof error.status === 'number' ? error.status : 500;
    if (status >= 400 && status < 500) {
      send(res, intake.rejectRequest(status, 'unreadable_body', typeof error.message === 'string' ? error.message : 'the body could not be read'));
      return;
    }
    next(error);
  };
  router.use(paths, bodyErrors);

  return Object.assign(router, { intake });
};
