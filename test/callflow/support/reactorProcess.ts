import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Harness } from './harness';

const ROOT = join(__dirname, '..', '..', '..');

export interface ReactorProcess {
  child: ChildProcess;
  /** Structured log lines (pino JSON) written so far. */
  logs: Array<Record<string, unknown>>;
  /** Resolves with the first log line whose message is `msg` (already written or to come). */
  waitForLog(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/**
 * Runs api/reactorMain.ts in its own process (TypeScript compiled on the fly by @swc/core, as the durability
 * tests do), on the harness's data directory and against its simulator, with a short lease so a successor
 * takes over quickly.
 */
export const spawnReactor = (h: Harness, env: Record<string, string> = {}): ReactorProcess => {
  const child = spawn(process.execPath, ['--require', join(ROOT, 'test', 'durability', 'register.js'), join(ROOT, 'api', 'reactorMain.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      CALLSTREAM_DATA_DIR: h.dir,
      CALLSTREAM_EVENTSTORE_POLL_MS: '5',
      CALLSTREAM_READMODELS_POLL_MS: '5',
      CALLSTREAM_REACTOR_LEASE_TTL_MS: '2000',
      CALLSTREAM_REACTOR_CHECKPOINT_MS: '200',
      TELNYX_BASE_URL: h.sim.apiBaseUrl,
      TELNYX_API_KEY: h.sim.apiKey,
      TELNYX_PUBLIC_KEY: h.sim.publicKeyBase64,
      TELNYX_CONNECTION_ID: h.sim.options.connectionId,
      TELNYX_CREDENTIAL_CONNECTION_ID: h.sim.options.credentialConnectionId,
      SIM_SCALE: String(h.sim.options.scale),
      SIM_URL: h.sim.url,
      SIM_CONTROL_KEY: h.sim.controlKey,
      ...env,
    },
  });
  const logs: Array<Record<string, unknown>> = [];
  const waiters: Array<{ msg: string; resolve: (line: Record<string, unknown>) => void }> = [];
  let partial = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const text of lines) {
      if (!text.startsWith('{')) continue;
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue;
      }
      logs.push(line);
      for (const waiter of waiters.filter((w) => w.msg === line.msg)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    logs,
    waitForLog(msg, timeoutMs = 30_000) {
      const found = logs.find((l) => l.msg === msg);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the reactor process did not log '${msg}' in time (exit ${String(child.exitCode ?? child.signalCode)}): ${stderr.slice(-2000)} ${logs.slice(-8).map((l) => JSON.stringify(l).slice(0, 300)).join('\n')}`)),
          timeoutMs,
        );
        waiters.push({
          msg,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
};
