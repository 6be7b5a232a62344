import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** Structured log lines (pino JSON) written so far. */
  logs: Array<Record<string, unknown>>;
  /** Resolves with the first log line whose message is `msg` (already written or to come). */
  waitForLog(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  kill(signal: NodeJS.Signals): Promise<void>;
  readonly exited: boolean;
  /** Settles with the exit code (null when a signal ended it). */
  exit: Promise<number | null>;
}

/**
 * Runs one of the product's TypeScript entry points (api/main.ts, api/reactorMain.ts, projections/cli.ts)
 * in its own process, compiled on the fly by @swc/core as the durability tests do, with only the given
 * environment, and collects its JSON log lines.
 */
export const spawnService = (name: string, entry: string, args: string[], env: Record<string, string>): ServiceProcess => {
  const child = spawn(process.execPath, ['--require', join(ROOT, 'test', 'durability', 'register.js'), join(ROOT, entry), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
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
  let exited = false;
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exited = true;
      resolve(code);
    }),
  );
  return {
    name,
    child,
    logs,
    exit,
    get exited() {
      return exited;
    },
    waitForLog(msg, timeoutMs = 30_000) {
      const found = logs.find((l) => l.msg === msg);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${name} did not log '${msg}' in time (exit ${String(child.exitCode ?? child.signalCode)}): ${stderr.slice(-2000)} ${logs.slice(-8).map((l) => JSON.stringify(l).slice(0, 300)).join('\n')}`)),
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
      await exit;
    },
  };
};
