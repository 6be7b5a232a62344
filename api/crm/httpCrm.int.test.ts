import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UnavailableError, ValidationError } from '../core/errors';
import { httpCrm } from './httpCrm';

describe('the HTTP CRM adapter', () => {
  let server: Server;
  let base: string;
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.url ?? ''} ${req.headers.authorization ?? ''}`);
      const url = new URL(req.url ?? '/', 'http://x');
      const phone = url.searchParams.get('phone') ?? url.pathname.split('/').pop();
      if (phone === '+15550200102') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ data: [{ contactId: 42, name: 'James Carter', tier: 'platinum', tags: ['vip'], email: null }] }));
      } else if (phone === '15550000500') {
        res.statusCode = 503;
        res.end('busy');
      } else if (phone === '+15550000999') {
        // Never answers within the deadline.
        setTimeout(() => res.end('{}'), 2000).unref();
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const crm = () => httpCrm({ urlTemplate: `${base}/contacts?phone={number}`, timeoutMs: 300, authorization: 'Bearer crm-key' });

  it('finds a contact by number, filling in what the CRM leaves out', async () => {
    const contact = await crm().findByPhoneNumber('+15550200102');
    expect(contact).toEqual({ contactId: '42', name: 'James Carter', account: null, email: null, tier: 'platinum', language: null, notes: '', tags: ['vip'], phoneNumbers: ['+15550200102'] });
    expect(seen.at(-1)).toBe('/contacts?phone=%2B15550200102 Bearer crm-key');
  });

  it('answers null for an unknown number', async () => {
    await expect(crm().findByPhoneNumber('+15550000001')).resolves.toBeNull();
  });

  it('rejects as unavailable when the CRM is slow, failing or down, so the caller is recorded as unknown', async () => {
    await expect(crm().findByPhoneNumber('+15550000999')).rejects.toBeInstanceOf(UnavailableError);
    await expect(httpCrm({ urlTemplate: `${base}/digits/{digits}`, timeoutMs: 300 }).findByPhoneNumber('+15550000500')).rejects.toBeInstanceOf(UnavailableError);
    await expect(httpCrm({ urlTemplate: 'http://127.0.0.1:1/contacts?phone={number}', timeoutMs: 300 }).findByPhoneNumber('+15550200102')).rejects.toBeInstanceOf(UnavailableError);
  });

  it('refuses a URL template without a placeholder', () => {
    expect(() => httpCrm({ urlTemplate: `${base}/contacts`, timeoutMs: 300 })).toThrow(ValidationError);
  });
});
