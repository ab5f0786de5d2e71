/** A setting for tests only (docs/web-client.md): the positive whole number this browser's localStorage holds under
 * `key`, or undefined (none, not such a number, or no localStorage). */
export function testSetting(key: string): number | undefined {
  try {
    const value = Number(localStorage.getItem(key) ?? '');
    return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}
