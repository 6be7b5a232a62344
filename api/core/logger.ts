import pino from 'pino';

export type Logger = pino.Logger;

export const createLogger = (name: string, level = process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info')): Logger =>
  pino({ name, level });

export const rootLogger = createLogger('callstream');
