import { pipeline } from 'node:stream/promises';
import { Router, type Response } from 'express';
import { CallstreamError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { RecordingStore } from '../recordingStore';
import type { RecordingLinks } from './recordingLinks';

export const RECORDINGS_PATH = '/recordings';

const STATUS: Partial<Record<CallstreamError['code'], number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  VALIDATION: 400,
  UNAVAILABLE: 503,
};

const fail = (res: Response, status: number, code: string, message: string): void => {
  res.status(status).json({ error: { code, message } });
};

/**
 * `GET /recordings/:recordingId?token=…`: streams a recording from the recording store to the holder
 * of a link made by the `recordingUrl` query. The link is the credential (an <audio> element cannot send
 * an Authorization header); the rights were checked when it was made.
 */
export const createRecordingRouter = (options: { links: RecordingLinks; recordings: RecordingStore; logger: Logger }): Router => {
  const router = Router();
  router.get('/:recordingId', async (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : undefined;
    if (!token) {
      fail(res, 401, 'UNAUTHENTICATED', 'The token query parameter is missing');
      return;
    }
    try {
      const grant = await options.links.verify(token, req.params.recordingId);
      const opened = await options.recordings.open(grant.location);
      res.status(200);
      res.setHeader('content-type', grant.contentType ?? opened.contentType);
      res.setHeader('content-length', String(opened.sizeBytes));
      res.setHeader('cache-control', 'private, no-store');
      // The console plays recordings from its own origin.
      res.setHeader('cross-origin-resource-policy', 'cross-origin');
      res.setHeader('content-disposition', `inline; filename="${grant.recordingId.replace(/[^A-Za-z0-9._-]/g, '_')}"`);
      options.logger.info({ recordingId: grant.recordingId, callId: grant.callId, userId: grant.userId }, 'recording downloaded');
      await pipeline(opened.body, res);
    } catch (error) {
      if (res.headersSent) {
        options.logger.warn({ err: error, recordingId: req.params.recordingId }, 'recording download interrupted');
        res.destroy();
        return;
      }
      if (error instanceof CallstreamError) {
        const status = STATUS[error.code] ?? 500;
        fail(res, status, error.code, status === 500 ? 'Internal server error' : error.message);
        if (status === 500) options.logger.error({ err: error }, 'recording download failed');
        return;
      }
      options.logger.error({ err: error }, 'recording download failed');
      fail(res, 500, 'INTERNAL', 'Internal server error');
    }
  });
  return router;
};
