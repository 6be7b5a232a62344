import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../core/logger';
import type { CallstreamMetrics } from './metrics';
import type { Readiness } from './readiness';
import { METRICS_PATH, metricsAuthorized } from './routes';

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

export interface OpsServerOptions {
  metrics: CallstreamMetrics;
  readiness: Readiness;
  logger: Logger;
  port: number;
  host?: string;
  metricsToken?: string;
  /** False answers /metrics with 404 (CALLSTREAM_METRICS_ENABLED=false). */
  metricsEnabled?: boolean;
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(body));
};

/**
 * /health/live, /health/ready and /metrics for a process that serves no HTTP otherwise (the reactor,
 * the projections runner), so that compose or Kubernetes can probe it and Prometheus can scrape it.
 */
export const startOpsServer = async (options: OpsServerOptions): Promise<OpsServer> => {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return json(res, 405, { error: 'method not allowed' });
    if (path === '/health/live') return json(res, 200, { status: 'ok' });
    if (path === '/health/ready') {
      const report = await options.readiness.evaluate();
      return json(res, report.status === 'ok' ? 200 : 503, report);
    }
    if (path === METRICS_PATH && options.metricsEnabled !== false) {
      if (!metricsAuthorized(req.headers.authorization, options.metricsToken)) return json(res, 401, { error: 'unauthenticated' });
      const { contentType, body } = await options.metrics.scrape();
      res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' }).end(body);
      return;
    }
    json(res, 404, { error: 'not found' });
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.logger.error({ err: error }, 'ops request failed');
      if (!res.headersSent) json(res, 500, { error: 'internal' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  options.logger.info({ port }, 'ops endpoints listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
};
