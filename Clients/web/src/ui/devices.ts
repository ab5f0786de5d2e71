import type { Authorization } from '../api/types';
import { formatAgo } from './format';

/** The name this browser signs in under: the browser with its major version, and the system ("Chrome 131 on Linux"),
 * so that the account's web devices differ in *Settings → Devices* by more than their address. */
export function deviceNameOf(userAgent: string): string {
  const browsers: [RegExp, string][] = [
    [/(?:Firefox|FxiOS)\/(\d+)/, 'Firefox'],
    [/Edg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
    [/OPR\/(\d+)/, 'Opera'],
    [/(?:Chrome|Chromium|CriOS)\/(\d+)/, 'Chrome'],
    [/Version\/(\d+)[\d.]* (?:Mobile\/\S+ )?Safari\//, 'Safari'],
  ];
  const found = browsers.map(([pattern, name]) => [pattern.exec(userAgent), name] as const).find(([match]) => match);
  const browser = found ? `${found[1]} ${found[0]![1]}` : 'Browser';
  const os = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Mac OS/.test(userAgent)
        ? 'macOS'
        : /Windows/.test(userAgent)
          ? 'Windows'
          : /CrOS/.test(userAgent)
            ? 'ChromeOS'
            : /Linux/.test(userAgent)
              ? 'Linux'
              : '';
  return `${browser}${os ? ` on ${os}` : ''}`;
}

/** A device's line under its name: its platform, address, when it signed in and when it was last used — what tells two
 * browsers of the same kind apart ("web · 127.0.0.1 · signed in today at 09:12 · active 5 minutes ago"). */
export function deviceDetails(device: Pick<Authorization, 'platform' | 'client_address' | 'created_at' | 'last_active_at' | 'current'>): string {
  const active = device.current ? 'active now' : `active ${formatAgo(device.last_active_at)}`;
  return [device.platform, device.client_address, `signed in ${formatAgo(device.created_at)}`, active].filter(Boolean).join(' · ');
}
