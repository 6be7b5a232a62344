import { APIConnectionError, APIError } from 'telnyx';
import { LegGoneError, TelnyxCommandError, UnavailableError } from '../../core/errors';
import { TELNYX_DEFAULT_BASE_URL, TelnyxConfigError, loadTelnyxConfig } from './config';
import { TelnyxNotFoundError, mapTelnyxError } from './errors';
import { decodeClientState, encodeClientState } from './telnyx';

const KEY = Buffer.alloc(32, 7).toString('base64');
const embedded = { apiBaseUrl: 'http://127.0.0.1:4010/v2', apiKey: 'KEY', publicKeyBase64: KEY, connectionId: 'app', credentialConnectionId: 'cred', scale: 50 };

describe('Telnyx configuration', () => {
  it('uses Telnyx when TELNYX_API_KEY is set, and requires the public key and connection id', () => {
    expect(loadTelnyxConfig({ TELNYX_API_KEY: 'KEY1', TELNYX_PUBLIC_KEY: KEY, TELNYX_CONNECTION_ID: 'app', SIM_SCALE: '50' })).toMatchObject({
      mode: 'telnyx',
      baseURL: TELNYX_DEFAULT_BASE_URL,
      timeScale: 1,
      maxRetries: 2,
    });
    expect(() => loadTelnyxConfig({ TELNYX_API_KEY: 'KEY1' })).toThrow(/TELNYX_PUBLIC_KEY[\s\S]*TELNYX_CONNECTION_ID/);
    expect(() => loadTelnyxConfig({ TELNYX_API_KEY: 'KEY1' })).toThrow(TelnyxConfigError);
  });

  it('uses a simulator at TELNYX_BASE_URL with its time scale', () => {
    const config = loadTelnyxConfig({ TELNYX_BASE_URL: 'http://127.0.0.1:4010/v2', TELNYX_API_KEY: 'K', TELNYX_PUBLIC_KEY: KEY, TELNYX_CONNECTION_ID: 'app', SIM_SCALE: '20' });
    expect(config).toMatchObject({ mode: 'simulator', baseURL: 'http://127.0.0.1:4010/v2', timeScale: 20 });
  });

  it('names the variable that is wrong', () => {
    expect(() => loadTelnyxConfig({ TELNYX_PUBLIC_KEY: 'c2hvcnQ=' }, embedded)).toThrow(/TELNYX_PUBLIC_KEY: must be the base64 of a 32-byte/);
    expect(() => loadTelnyxConfig({ TELNYX_BASE_URL: 'http://127.0.0.1:4010' }, embedded)).toThrow(/TELNYX_BASE_URL: must end with \/v2/);
    expect(() => loadTelnyxConfig({ TELNYX_MAX_RETRIES: 'many' }, embedded)).toThrow(/TELNYX_MAX_RETRIES/);
    expect(() => loadTelnyxConfig({})).toThrow(/TELNYX_API_KEY/);
  });

  it('falls back to the embedded simulator', () => {
    expect(loadTelnyxConfig({}, embedded)).toMatchObject({ mode: 'simulator', baseURL: embedded.apiBaseUrl, apiKey: 'KEY', publicKey: KEY, connectionId: 'app', credentialConnectionId: 'cred', timeScale: 50 });
  });
});

describe('Telnyx error mapping', () => {
  const apiError = (status: number, code: string) => APIError.generate(status, { errors: [{ code, title: 't', detail: 'd' }] }, undefined, new Headers());

  it('maps 422/90018 to LegGoneError, 404 to TelnyxNotFoundError, 5xx and connection errors to UnavailableError', () => {
    const ctx = { operation: 'speak', callControlId: 'v3:x' };
    expect(mapTelnyxError(apiError(422, '90018'), ctx)).toBeInstanceOf(LegGoneError);
    expect(mapTelnyxError(apiError(404, '90015'), ctx)).toMatchObject({ constructor: TelnyxNotFoundError, details: { telnyxCode: '90015', status: 404 } });
    expect(mapTelnyxError(apiError(503, '10007'), ctx)).toBeInstanceOf(UnavailableError);
    expect(mapTelnyxError(new APIConnectionError({ message: 'down' }), ctx)).toBeInstanceOf(UnavailableError);
    const refused = mapTelnyxError(apiError(422, '10004'), ctx);
    expect(refused).toBeInstanceOf(TelnyxCommandError);
    expect(refused).not.toBeInstanceOf(LegGoneError);
  });
});

describe('client_state helpers', () => {
  it('round-trips JSON through base64 and tolerates junk', () => {
    const encoded = encodeClientState({ iid: 'int-42', role: 'agent' });
    expect(encoded).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(decodeClientState(encoded)).toEqual({ iid: 'int-42', role: 'agent' });
    expect(decodeClientState(null)).toBeUndefined();
    expect(decodeClientState('%%%')).toBeUndefined();
  });
});
