import { RateLimiterMemory } from 'rate-limiter-flexible';
import { RateLimitedError } from '../core/errors';

export interface LoginRateLimiterOptions {
  maxFailures: number;
  windowSeconds: number;
}

/**
 * Counts failed logins per username and client address in memory. After `maxFailures` failures in
 * the window, further attempts are refused before the password is even checked, until the window
 * passes; a successful login clears the count.
 */
export class LoginRateLimiter {
  private readonly limiter: RateLimiterMemory;
  private readonly maxFailures: number;

  constructor(options: LoginRateLimiterOptions) {
    this.maxFailures = options.maxFailures;
    this.limiter = new RateLimiterMemory({ keyPrefix: 'login', points: options.maxFailures, duration: options.windowSeconds });
  }

  static key(username: string, ip: string): string {
    return `${username.toLowerCase()}|${ip}`;
  }

  async assertAllowed(key: string): Promise<void> {
    const state = await this.limiter.get(key);
    if (state && state.consumedPoints >= this.maxFailures) {
      const retryAfterSeconds = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
      throw new RateLimitedError(`Too many failed logins; try again in ${retryAfterSeconds} s`, retryAfterSeconds);
    }
  }

  async recordFailure(key: string): Promise<void> {
    await this.limiter.penalty(key, 1);
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }
}
