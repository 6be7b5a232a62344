import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../core/errors';
import type { Logger } from '../core/logger';

export const SESSION_SECRET_FILE = 'session-secret';
const MIN_LENGTH = 32;

const readSecret = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

/**
 * The signing secret: CALLSTREAM_SESSION_SECRET, or, in embedded mode only, one generated on first
 * start and kept in `<dataDir>/session-secret` (mode 0600) so sessions survive a restart.
 */
export const resolveSessionSecret = (options: { secret?: string; embedded: boolean; dataDir: string; logger: Logger }): string => {
  if (options.secret !== undefined) {
    if (options.secret.length < MIN_LENGTH) throw new ValidationError(`Invalid environment variable CALLSTREAM_SESSION_SECRET: must be at least ${MIN_LENGTH} characters`);
    return options.secret;
  }
  if (!options.embedded) throw new ValidationError('Invalid environment variable CALLSTREAM_SESSION_SECRET: required when EVENTSTORE_URL is set');
  const file = join(options.dataDir, SESSION_SECRET_FILE);
  const existing = readSecret(file);
  if (existing !== undefined && existing.length >= MIN_LENGTH) return existing;
  mkdirSync(options.dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  try {
    // 'wx' fails if another process wrote the file first; then that one is the secret.
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: existing === undefined ? 'wx' : 'w' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = readSecret(file);
    if (winner !== undefined && winner.length >= MIN_LENGTH) return winner;
    throw error;
  }
  options.logger.info({ file }, 'generated the session signing secret');
  return secret;
};
