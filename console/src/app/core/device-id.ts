const KEY = 'callstream.deviceId';

/**
 * A stable id of this browser, 1-64 characters of letters, digits, _ . - (the API's rule): the
 * backend keeps one telephony credential per agent device.
 */
export const browserDeviceId = (): string => {
  try {
    const existing = localStorage.getItem(KEY);
    if (existing && /^[A-Za-z0-9_.-]{1,64}$/.test(existing)) return existing;
    const fresh = `web-${crypto.randomUUID().replace(/-/g, '').slice(0, 20)}`;
    localStorage.setItem(KEY, fresh);
    return fresh;
  } catch {
    return `web-${Math.random().toString(36).slice(2, 14)}`;
  }
};
