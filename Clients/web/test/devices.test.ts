import { describe, expect, it } from 'vitest';
import { deviceDetails, deviceNameOf } from '../src/ui/devices';

describe('the name a browser signs in under', () => {
  it('names the browser with its major version, and the system', () => {
    const chrome = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.85 Safari/537.36';
    expect(deviceNameOf(chrome)).toBe('Chrome 131 on Linux');
    expect(deviceNameOf(chrome.replace('Chrome/131', 'HeadlessChrome/131'))).toBe('Chrome 131 on Linux');
    expect(deviceNameOf('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70')).toBe(
      'Edge 131 on Windows',
    );
    expect(deviceNameOf('Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0')).toBe('Firefox 133 on Linux');
    expect(deviceNameOf('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15')).toBe(
      'Safari 17 on macOS',
    );
    expect(deviceNameOf('Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1')).toBe(
      'Safari 17 on iOS',
    );
    expect(deviceNameOf('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36')).toBe(
      'Chrome 131 on Android',
    );
    expect(deviceNameOf('curl/8.5.0')).toBe('Browser');
  });
});

describe('a device in Settings → Devices', () => {
  const now = Math.floor(Date.now() / 1000);
  const device = { platform: 'web', client_address: '127.0.0.1', current: false };

  it('tells two web devices of the same name and address apart by when they signed in and were last used', () => {
    const older = deviceDetails({ ...device, created_at: now - 50 * 60, last_active_at: now - 5 * 60 });
    const newer = deviceDetails({ ...device, created_at: now - 20 * 60, last_active_at: now - 20 });
    expect(older).toBe('web · 127.0.0.1 · signed in 50 minutes ago · active 5 minutes ago');
    expect(newer).toBe('web · 127.0.0.1 · signed in 20 minutes ago · active just now');
  });

  it('says this device is active now, and leaves out an address the server does not know', () => {
    expect(deviceDetails({ ...device, client_address: '', current: true, created_at: now - 60, last_active_at: now - 600 })).toBe(
      'web · signed in 1 minute ago · active now',
    );
  });
});
