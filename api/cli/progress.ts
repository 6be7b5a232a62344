import { SingleBar, Presets } from 'cli-progress';

export interface ProgressReporter {
  update(done: number, total?: number): void;
  finish(summary: string): void;
}

/**
 * A bar with rate and ETA on a terminal; on a pipe (CI, logs) one line every few seconds instead,
 * so long runs never look hung. Ends with a summary line either way.
 */
export const createProgress = (label: string, total: number, stream: NodeJS.WriteStream = process.stderr): ProgressReporter => {
  const started = Date.now();
  const rate = (done: number): number => done / Math.max(0.001, (Date.now() - started) / 1000);
  if (stream.isTTY) {
    const bar = new SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted}`, stream, etaBuffer: 50 },
      Presets.shades_classic,
    );
    bar.start(Math.max(total, 1), 0, { rate: '0' });
    return {
      update(done, newTotal) {
        if (newTotal !== undefined) bar.setTotal(Math.max(newTotal, 1));
        bar.update(done, { rate: Math.round(rate(done)).toLocaleString('en-US') });
      },
      finish(summary) {
        bar.stop();
        stream.write(`${summary}\n`);
      },
    };
  }
  let lastLine = 0;
  let currentTotal = total;
  return {
    update(done, newTotal) {
      if (newTotal !== undefined) currentTotal = newTotal;
      const now = Date.now();
      if (now - lastLine < 2000) return;
      lastLine = now;
      const r = rate(done);
      const eta = r > 0 ? Math.max(0, (currentTotal - done) / r) : 0;
      stream.write(`${label}: ${done}/${currentTotal} (${Math.round(r)}/s, ETA ${eta.toFixed(0)} s)\n`);
    },
    finish(summary) {
      stream.write(`${summary}\n`);
    },
  };
};
