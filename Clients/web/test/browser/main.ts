// Runs in a real browser under the production CSP (see run.mjs): libsodium's WebAssembly, the Noise handshake, the
// SignalR transport and IndexedDB against the real server. Writes "OK …" or "FAIL …" into #out.
import { MessengerClient } from '../../src/api/client';
import { userPeer, type MessengerEvent } from '../../src/api/types';

const out = document.getElementById('out')!;
const violations: string[] = [];
document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective} ${e.blockedURI}`));

async function check(): Promise<string> {
  const key = (await (await fetch('/.well-known/messenger/server-key')).text()).trim();
  const client = await MessengerClient.connect({ url: location.origin, serverPublicKeyHex: key, deviceName: 'headless check' });
  const events: MessengerEvent[] = [];
  client.events.subscribe((e) => events.push(e));
  const username = `browser_${Math.random().toString(36).slice(2, 8)}`;
  await client.auth.register({ username, password: 'correct horse battery', display_name: 'Browser' });
  const me = await client.auth.signIn({ username, password: 'correct horse battery' });
  await client.startUpdates();
  const sent = await client.messages.send({ peer: userPeer(me.user.id), text: 'hello from a browser' });
  const dialogs = await client.messages.getDialogs();
  await client.close();
  // The device key and sign-in were stored in IndexedDB: a second client object finds them.
  const again = await MessengerClient.connect({ url: location.origin, serverPublicKeyHex: key });
  const stillSignedIn = again.signedIn?.user.id === me.user.id;
  const history = await again.messages.getHistory({ peer: userPeer(me.user.id) });
  await again.close();
  if (!stillSignedIn) return 'FAIL the stored sign-in was not found after reconnecting';
  if (history.messages[0]?.id !== sent.message.id) return 'FAIL history does not have the message';
  if (!events.some((e) => e.type === 'new_message')) return 'FAIL no new_message event';
  return `OK user ${me.user.id}, ${dialogs.total} dialog(s), message ${sent.message.id}, events ${events.map((e) => e.type).join(',')}`;
}

check()
  .then((result) => (out.textContent = violations.length ? `FAIL CSP violations: ${violations.join('; ')}` : result))
  .catch((error: unknown) => (out.textContent = `FAIL ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`));
