import { ValidationError } from '../core/errors';
import { loadApiConfig } from './config';

describe('API configuration', () => {
  it('has embedded defaults', () => {
    const config = loadApiConfig({});
    expect(config).toMatchObject({ embedded: true, port: 4000, corsOrigins: ['http://localhost:4200'], bcryptCost: 10, accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 43200, seedDemo: false });
    expect(config.sessionSecret).toBeUndefined();
  });

  it('names the variable that is wrong', () => {
    expect(() => loadApiConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadApiConfig({ CALLSTREAM_SESSION_SECRET: 'short' })).toThrow(/CALLSTREAM_SESSION_SECRET: must be at least 32 characters/);
    expect(() => loadApiConfig({ CALLSTREAM_CORS_ORIGINS: 'http://ok.example, not a url' })).toThrow(/CALLSTREAM_CORS_ORIGINS/);
    expect(() => loadApiConfig({ CALLSTREAM_SEED_DEMO: 'maybe' })).toThrow(/CALLSTREAM_SEED_DEMO: must be true or false/);
    expect(() => loadApiConfig({ CALLSTREAM_ADMIN_USERNAME: 'root' })).toThrow(/CALLSTREAM_ADMIN_PASSWORD/);
  });

  it('needs a session secret outside embedded mode', () => {
    expect(() => loadApiConfig({ EVENTSTORE_URL: 'esdb://localhost:2113?tls=false' })).toThrow(ValidationError);
    expect(loadApiConfig({ EVENTSTORE_URL: 'esdb://localhost:2113?tls=false', CALLSTREAM_SESSION_SECRET: 's'.repeat(32) }).embedded).toBe(false);
  });

  it('reads lists and flags', () => {
    const config = loadApiConfig({ CALLSTREAM_CORS_ORIGINS: 'https://a.example, https://b.example:8443', CALLSTREAM_SEED_DEMO: 'on', CALLSTREAM_TRUST_PROXY: '1' });
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example:8443']);
    expect(config.seedDemo).toBe(true);
    expect(config.trustProxy).toBe(1);
  });
});
