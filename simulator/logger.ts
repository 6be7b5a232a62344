import pino from 'pino';

export type SimLogger = pino.Logger;

export const createSimLogger = (level?: string): SimLogger =>
  pino({ name: 'telnyx-simulator', level: level ?? process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info') });
