import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { TelnyxApiError, apiErrors } from '../errors';

/** What a handler produces; the wrapper sends it (possibly late, under the REST timeout fault). */
export interface Reply {
  status?: number;
  body: unknown;
  contentType?: 'json' | 'text';
}

/** Bearer-key check answering Telnyx's 401 body. */
export function bearerAuth(key: () => string): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match || match[1]!.trim() !== key()) {
      sendError(res, apiErrors.unauthenticated());
      return;
    }
    next();
  };
}

export function sendError(res: Response, err: TelnyxApiError): void {
  res.status(err.status).type('application/json').send(JSON.stringify(err.toBody()));
}

export function send(res: Response, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  res.status(reply.status ?? 200);
  if (reply.contentType === 'text') res.type('text/plain').send(String(reply.body));
  else res.type('application/json').send(JSON.stringify(reply.body));
}

/**
 * Maps a zod failure to Telnyx's error: a missing parameter is 10004, anything else 10015,
 * naming the parameter either way.
 */
export function validationError(error: z.ZodError, body: unknown): TelnyxApiError {
  const issue = error.issues[0]!;
  const name = issue.path.map(String).join('.') || 'body';
  let value: unknown = body;
  for (const key of issue.path) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key as PropertyKey] : undefined;
  if (value === undefined && issue.code === 'invalid_type') return apiErrors.missingParameter(name);
  return apiErrors.invalidParameter(name, issue.message);
}

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const input = body === undefined || body === null || body === '' ? {} : body;
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(result.error, input);
  return result.data;
}

/** Telnyx-style error for anything that escaped a handler (bad JSON included). */
export function errorHandler(logger: { error: (obj: object, msg: string) => void }) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    if (err instanceof TelnyxApiError) return sendError(res, err);
    if (typeof err === 'object' && err !== null && (err as { type?: string }).type === 'entity.parse.failed') {
      return sendError(res, apiErrors.malformedJson());
    }
    logger.error({ err }, 'unexpected error in the simulator API');
    sendError(res, apiErrors.injected(500));
  };
}

export function pageParams(query: Request['query']): { number: number; size: number } {
  const num = Number(query['page[number]'] ?? 1);
  const size = Number(query['page[size]'] ?? 20);
  return {
    number: Number.isInteger(num) && num >= 1 ? num : 1,
    size: Number.isInteger(size) && size >= 1 && size <= 250 ? size : 20,
  };
}

export function paginate<T>(items: T[], page: { number: number; size: number }): { data: T[]; meta: Record<string, number> } {
  const totalPages = Math.max(1, Math.ceil(items.length / page.size));
  return {
    data: items.slice((page.number - 1) * page.size, page.number * page.size),
    meta: { page_number: page.number, page_size: page.size, total_pages: totalPages, total_results: items.length },
  };
}

export function queryString(query: Request['query'], key: string): string | undefined {
  const v = query[key];
  return typeof v === 'string' ? v : undefined;
}
