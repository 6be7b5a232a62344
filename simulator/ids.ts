import { randomBytes, randomUUID } from 'node:crypto';

export const newCallControlId = (): string => `v3:${randomBytes(24).toString('base64url')}`;
export const newUuid = (): string => randomUUID();
export const newSipUsername = (): string => `gencred${randomBytes(18).toString('base64url').replace(/[-_]/g, 'x')}`;
export const newSipPassword = (): string => randomBytes(12).toString('hex');
