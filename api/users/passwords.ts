import bcrypt from 'bcryptjs';
import { ValidationError } from '../core/errors';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /** Spends the time of a verification without a user, so an unknown username answers as slowly as a wrong password. */
  verifyNothing(password: string): Promise<false>;
}

export const MIN_PASSWORD_LENGTH = 8;
/** bcrypt reads only the first 72 bytes; longer passwords would be silently truncated. */
export const MAX_PASSWORD_BYTES = 72;

export const validatePassword = (password: string): void => {
  if (password.length < MIN_PASSWORD_LENGTH) throw new ValidationError(`A password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) throw new ValidationError(`A password may have at most ${MAX_PASSWORD_BYTES} bytes`);
};

export const createPasswordHasher = (cost = 10): PasswordHasher => {
  const dummy = bcrypt.hashSync('callstream-no-such-user', cost);
  return {
    hash: (password) => bcrypt.hash(password, cost),
    verify: (password, hash) => bcrypt.compare(password, hash),
    verifyNothing: async (password) => {
      await bcrypt.compare(password, dummy);
      return false;
    },
  };
};
