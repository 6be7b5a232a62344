import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { ActionSchemas, DialSchema, isActionName } from '../calls/commands';
import type { CallEngine, Command } from '../calls/engine';
import type { Counters } from '../counters';
import type { CredentialStore } from '../credentials';
import { TelnyxApiError, apiErrors } from '../errors';
import type { FaultController } from '../faults';
import { bearerAuth, pageParams, paginate, parseBody, queryString, send, sendError, type Reply } from './http';

export interface V2Context {
  apiKey: () => string;
  engine: CallEngine;
  credentials: CredentialStore;
  faults: FaultController;
  counters: Counters;
  /** Holds a reply for `ms` real milliseconds before sending it (the REST timeout fault). */
  hold: (res: Response, reply: Reply, ms: number) => void;
}

const CredentialCreateSchema = z.looseObject({
  connection_id: z.string().min(1),
  name: z.string().optional(),
  tag: z.string().optional(),
  expires_at: z.iso.datetime({ offset: true }).optional(),
});
const CredentialUpdateSchema = z.looseObject({
  connection_id: z.string().min(1).optional(),
  name: z.string().optional(),
  tag: z.string().optional(),
  expires_at: z.iso.datetime({ offset: true }).optional(),
});

/** The Call Control v2 REST API (mounted at /v2). */
export function v2Router(ctx: V2Context): Router {
  const router = express.Router();
  router.use(bearerAuth(ctx.apiKey));
  router.use(express.json({ limit: '1mb' }));

  const handle =
    (fn: (req: Request) => Reply): RequestHandler =>
    (req, res, next) => {
      if (ctx.faults.roll('rest5xx')) {
        const status = ctx.faults.get().rest5xx.status;
        ctx.counters.error(status);
        sendError(res, apiErrors.injected(status));
        return;
      }
      let reply: Reply;
      try {
        reply = fn(req);
      } catch (err) {
        if (!(err instanceof TelnyxApiError)) {
          next(err);
          return;
        }
        ctx.counters.error(err.status);
        reply = { status: err.status, body: err.toBody() };
      }
      if (ctx.faults.roll('restTimeout')) ctx.hold(res, reply, ctx.faults.get().restTimeout.hangMs);
      else send(res, reply);
    };

  const param = (req: Request, name: string): string => {
    const v = req.params[name];
    return typeof v === 'string' ? v : '';
  };

  // ---- calls
  router.post(
    '/calls',
    handle((req) => {
      ctx.counters.command('dial');
      return { body: { data: ctx.engine.dial(parseBody(DialSchema, req.body)) } };
    }),
  );

  router.get(
    '/calls/:id',
    handle((req) => ({ body: { data: ctx.engine.status(param(req, 'id')) } })),
  );

  const action = (method: 'post' | 'put') =>
    handle((req) => {
      const id = param(req, 'id');
      const name = param(req, 'action');
      const isPut = name === 'client_state_update';
      if (!isActionName(name) || isPut !== (method === 'put')) throw apiErrors.notFound(`Action '${name}'`);
      ctx.counters.command(name);
      if (!ctx.engine.get(id)) throw apiErrors.invalidCallControlId();
      const params: unknown = parseBody(ActionSchemas[name], req.body);
      // The schema was chosen by `name`, so params matches the Command variant for that action.
      const result = ctx.engine.execute(id, { action: name, params } as Command);
      return { body: { data: result } };
    });
  router.post('/calls/:id/actions/:action', action('post'));
  router.put('/calls/:id/actions/:action', action('put'));

  // ---- queues
  router.get(
    '/queues',
    handle((req) => {
      const names = ctx.engine.queueNames();
      return { body: paginate(names.map((n) => ctx.engine.queueInfo(n)), pageParams(req.query)) };
    }),
  );
  router.get(
    '/queues/:name',
    handle((req) => ({ body: { data: ctx.engine.queueInfo(param(req, 'name')) } })),
  );
  router.get(
    '/queues/:name/calls',
    handle((req) => ({ body: paginate(ctx.engine.queueCalls(param(req, 'name')), pageParams(req.query)) })),
  );
  router.get(
    '/queues/:name/calls/:id',
    handle((req) => {
      const call = ctx.engine.queueCalls(param(req, 'name')).find((c) => c.call_control_id === param(req, 'id'));
      if (!call) throw apiErrors.notFound(`Call '${param(req, 'id')}' in queue '${param(req, 'name')}'`);
      return { body: { data: call } };
    }),
  );

  // ---- telephony credentials
  router.post(
    '/telephony_credentials',
    handle((req) => ({ status: 201, body: { data: ctx.credentials.create(parseBody(CredentialCreateSchema, req.body)) } })),
  );
  router.get(
    '/telephony_credentials',
    handle((req) => {
      const q = req.query;
      const list = ctx.credentials.list({
        name: queryString(q, 'filter[name]'),
        tag: queryString(q, 'filter[tag]'),
        status: queryString(q, 'filter[status]'),
        resource_id: queryString(q, 'filter[resource_id]'),
        sip_username: queryString(q, 'filter[sip_username]'),
      });
      return { body: paginate(list, pageParams(q)) };
    }),
  );
  router.get(
    '/telephony_credentials/:id',
    handle((req) => ({ body: { data: ctx.credentials.get(param(req, 'id')) } })),
  );
  router.patch(
    '/telephony_credentials/:id',
    handle((req) => ({ body: { data: ctx.credentials.update(param(req, 'id'), parseBody(CredentialUpdateSchema, req.body)) } })),
  );
  router.delete(
    '/telephony_credentials/:id',
    handle((req) => ({ body: { data: ctx.credentials.delete(param(req, 'id')) } })),
  );
  router.post(
    '/telephony_credentials/:id/token',
    handle((req) => ({ status: 201, body: ctx.credentials.createToken(param(req, 'id')), contentType: 'text' })),
  );

  router.use((req, res) => sendError(res, apiErrors.notFound(`${req.method} ${req.originalUrl}`)));
  return router;
}
