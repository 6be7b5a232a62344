import express, { type Request, type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import { FaultsPatchSchema, type SimulatorOptions } from '../config';
import type { SimulatorControl } from '../simulator';
import { ArrivalsSchema, CalleeBehaviourSchema, CallerScriptSchema, PhoneBehaviourSchema } from '../world/scripts';
import type { World } from '../world/world';

export interface ControlContext {
  controlKey: () => string;
  publicKeyBase64: string;
  control: SimulatorControl;
  world: World;
  options: SimulatorOptions;
  apiBaseUrl: () => string;
}

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

const header = z.object({ name: z.string().min(1), value: z.string() });
const PhoneActionSchema = z.object({
  callControlId: z.string().min(1).optional(),
  cause: z.enum(['call_rejected', 'user_busy']).optional(),
  digits: z.string().regex(/^[0-9A-D*#]+$/).optional(),
  text: z.string().min(1).optional(),
  to: z.string().min(1).optional(),
  customHeaders: z.array(header).optional(),
  callerIdName: z.string().optional(),
});
const WebhookUrlsSchema = z.object({ webhookUrl: z.url().nullable().optional(), failoverUrl: z.url().nullable().optional() });
const ClockSchema = z.object({ scale: z.number().positive().max(100_000) });
const AdvanceSchema = z.object({ ms: z.number().min(0) });

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw new ControlError(400, z.prettifyError(result.error));
  return result.data;
}

/**
 * The simulator's control API (mounted at /sim): world, faults, clock, counters and inspection.
 * JSON in and out; errors are `{ error: message }`.
 */
export function controlRouter(ctx: ControlContext): Router {
  const router = express.Router();
  const { control, world } = ctx;

  // Public information, no key needed.
  router.get('/health', (_req, res) => {
    res.json({ ok: true });
  });
  router.get('/public-key', (_req, res) => {
    res.json({ public_key: ctx.publicKeyBase64 });
  });

  router.use((req, res, next) => {
    const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (!match || match[1]!.trim() !== ctx.controlKey()) {
      res.status(401).json({ error: 'missing or wrong bearer key' });
      return;
    }
    next();
  });
  router.use(express.json({ limit: '1mb' }));

  const route =
    (fn: (req: Request) => unknown, status = 200): RequestHandler =>
    (req, res, next) => {
      try {
        res.status(status).json(fn(req) ?? { ok: true });
      } catch (err) {
        if (err instanceof ControlError) res.status(err.status).json({ error: err.message });
        else if (err instanceof z.ZodError) res.status(400).json({ error: z.prettifyError(err) });
        else next(err);
      }
    };
  const param = (req: Request, name: string): string => {
    const v = req.params[name];
    return typeof v === 'string' ? v : '';
  };
  const phone = (req: Request) => {
    const p = world.phone(param(req, 'user'));
    if (!p) throw new ControlError(404, `no simulated phone registered as '${param(req, 'user')}'`);
    return p;
  };

  router.get(
    '/config',
    route(() => ({
      apiBaseUrl: ctx.apiBaseUrl(),
      connectionId: ctx.options.connectionId,
      credentialConnectionId: ctx.options.credentialConnectionId,
      mainNumber: ctx.options.mainNumber,
      scale: control.clock().scale,
      publicKey: ctx.publicKeyBase64,
      ...control.webhookUrls(),
    })),
  );
  router.put('/config', route((req) => control.setWebhookUrls(parse(WebhookUrlsSchema, req.body))));

  router.get('/clock', route(() => control.clock()));
  router.put('/clock', route((req) => control.setScale(parse(ClockSchema, req.body).scale)));
  router.post('/clock/advance', route((req) => control.advance(parse(AdvanceSchema, req.body).ms)));

  router.get('/faults', route(() => control.faults()));
  router.put('/faults', route((req) => control.setFaults(parse(FaultsPatchSchema, req.body))));
  router.delete('/faults', route(() => control.clearFaults()));

  router.get('/counters', route(() => control.counters()));
  router.delete('/counters', route(() => control.resetCounters()));

  router.get(
    '/calls',
    route((req) => {
      const alive = req.query.alive === 'true' ? true : req.query.alive === 'false' ? false : undefined;
      return { data: control.calls({ alive }) };
    }),
  );
  router.get(
    '/calls/:id',
    route((req) => {
      const leg = control.call(param(req, 'id'));
      if (!leg) throw new ControlError(404, 'no such call');
      return { data: leg };
    }),
  );
  router.get('/recordings', route(() => ({ data: control.recordings() })));
  router.get('/webhooks', route((req) => ({ data: control.deliveries(Number(req.query.limit ?? 100) || 100) })));
  router.get('/world', route(() => world.snapshot()));

  router.post('/callers', route((req) => ({ data: world.placeCaller(parse(CallerScriptSchema, req.body)) }), 201));
  router.post('/arrivals', route((req) => ({ data: world.startArrivals(parse(ArrivalsSchema, req.body)) }), 201));
  router.delete('/arrivals', route(() => ({ stopped: world.stopArrivals() })));

  router.get('/phones', route(() => ({ data: world.snapshot().phones })));
  router.put('/phones/:user', route((req) => ({ data: world.registerPhone(param(req, 'user'), parse(PhoneBehaviourSchema, req.body)).snapshot() })));
  router.get('/phones/:user', route((req) => ({ data: phone(req).snapshot() })));
  router.delete('/phones/:user', route((req) => ({ unregistered: world.unregister(param(req, 'user')) })));
  router.post(
    '/phones/:user/:action',
    route((req) => {
      const p = phone(req);
      const body = parse(PhoneActionSchema, req.body);
      switch (param(req, 'action')) {
        case 'answer':
          return { ok: p.answer(body.callControlId) };
        case 'reject':
          return { ok: p.reject(body.callControlId, body.cause) };
        case 'hangup':
          return { ok: p.hangup(body.callControlId) };
        case 'dtmf':
          if (!body.digits) throw new ControlError(400, 'digits is required');
          return { ok: p.sendDtmf(body.digits, body.callControlId) };
        case 'dial': {
          if (!body.to) throw new ControlError(400, 'to is required');
          return { ok: true, data: p.dial(body.to, { customHeaders: body.customHeaders, callerIdName: body.callerIdName }) };
        }
        default:
          throw new ControlError(404, `unknown phone action '${param(req, 'action')}'`);
      }
    }),
  );

  router.put('/callees/:number', route((req) => ({ data: world.setCallee(param(req, 'number'), parse(CalleeBehaviourSchema, req.body)) })));

  router.post('/reset', route(() => control.reset()));

  router.use((req, res) => {
    res.status(404).json({ error: `no control route ${req.method} ${req.originalUrl}` });
  });
  return router;
}
