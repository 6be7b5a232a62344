import { spawnService, type ServiceProcess } from '../../support/serviceProcess';
import type { Harness } from './harness';

export type ReactorProcess = ServiceProcess;

/** What a product process needs to share the harness's stores and simulator. */
export const harnessEnv = (h: Harness): Record<string, string> => ({
  CALLSTREAM_DATA_DIR: h.dir,
  CALLSTREAM_EVENTSTORE_POLL_MS: '5',
  CALLSTREAM_READMODELS_POLL_MS: '5',
  TELNYX_BASE_URL: h.sim.apiBaseUrl,
  TELNYX_API_KEY: h.sim.apiKey,
  TELNYX_PUBLIC_KEY: h.sim.publicKeyBase64,
  TELNYX_CONNECTION_ID: h.sim.options.connectionId,
  TELNYX_CREDENTIAL_CONNECTION_ID: h.sim.options.credentialConnectionId,
  SIM_SCALE: String(h.sim.options.scale),
  SIM_URL: h.sim.url,
  SIM_CONTROL_KEY: h.sim.controlKey,
});

/**
 * Runs api/reactorMain.ts in its own process on the harness's data directory and against its
 * simulator, with a short lease so a successor takes over quickly.
 */
export const spawnReactor = (h: Harness, env: Record<string, string> = {}): ReactorProcess =>
  spawnService('the reactor process', 'api/reactorMain.ts', [], {
    ...harnessEnv(h),
    CALLSTREAM_REACTOR_LEASE_TTL_MS: '2000',
    CALLSTREAM_REACTOR_CHECKPOINT_MS: '200',
    ...env,
  });
