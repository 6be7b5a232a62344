import { jwtExpiryMs, refreshDelay, retryDelay, SESSION_REFRESH, TELEPHONY_REFRESH } from '../../console/src/app/core/schedule';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('token renewal scheduling', () => {
  const now = 1_000_000_000_000;

  it('renews a 15-minute access token after three quarters of its life', () => {
    expect(refreshDelay(now + 15 * MIN, now, SESSION_REFRESH, now)).toBe(11.25 * MIN);
  });

  it('keeps at least 30 s of lead on a short access token', () => {
    expect(refreshDelay(now + 60_000, now, SESSION_REFRESH, now)).toBe(30_000);
  });

  it('renews at once (after the floor) a token already expired or about to', () => {
    expect(refreshDelay(now - 5_000, now, SESSION_REFRESH)).toBe(SESSION_REFRESH.floorMs);
    expect(refreshDelay(now + 10_000, now, SESSION_REFRESH)).toBe(SESSION_REFRESH.floorMs);
  });

  it('renews a 24-hour WebRTC token an hour before it expires, well ahead of the SDK’s two-minute warning', () => {
    const issued = now;
    const expires = now + 24 * HOUR;
    expect(refreshDelay(expires, now, TELEPHONY_REFRESH, issued)).toBe(21.6 * HOUR);
    expect(refreshDelay(expires, now + 23 * HOUR, TELEPHONY_REFRESH, issued)).toBe(TELEPHONY_REFRESH.floorMs);
  });

  it('backs off failed renewals without passing the expiry', () => {
    const expires = now + 10 * MIN;
    expect([0, 1, 2, 3, 10].map((a) => retryDelay(a, expires, now))).toEqual([1000, 2000, 4000, 8000, 30_000]);
    expect(retryDelay(5, now + 5_000, now)).toBe(4_000);
    expect(retryDelay(5, now + 1_000, now)).toBe(1_000);
  });

  it('reads a JWT expiry without verifying it', () => {
    const payload = Buffer.from(JSON.stringify({ sub: 'x', exp: 1_900_000_000 })).toString('base64url');
    const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
    expect(jwtExpiryMs(`h.${payload}.s`, decode)).toBe(1_900_000_000_000);
    expect(jwtExpiryMs('garbage', decode)).toBeNull();
    expect(jwtExpiryMs('h.bm90IGpzb24.s', decode)).toBeNull();
  });
});
