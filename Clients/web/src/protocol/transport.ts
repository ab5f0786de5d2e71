// The SignalR hub at /rpc carries opaque frames: Handshake(byte[]) → byte[], Send(byte[]), and Receive(byte[]) back.
import { HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import type { Link, LinkHandlers, Transport } from './session';

export const HUB_PATH = '/rpc';

/** A link that brings nothing for this long is taken as dead (the server pings a quiet one every 5 s, at most 7:
 * `Messenger:Protocol:KeepAliveSeconds`), so a link that died without a word is noticed within it. */
export const SERVER_TIMEOUT_MS = 15_000;

// SignalR's own logging is off by default: its connection errors surface as ConnectionError and reconnects are ours.
export function signalRTransport(baseUrl: string, logLevel: LogLevel = LogLevel.None, serverTimeoutMs = SERVER_TIMEOUT_MS): Transport {
  const url = new URL(HUB_PATH, baseUrl).toString();
  return async (handlers: LinkHandlers): Promise<Link> => {
    const hub = new HubConnectionBuilder()
      .withUrl(url)
      .withHubProtocol(new MessagePackHubProtocol())
      .withServerTimeout(serverTimeoutMs)
      .configureLogging(logLevel)
      .build();
    hub.on('Receive', (frame: Uint8Array) => handlers.onFrame(frame));
    hub.onclose((error) => handlers.onClose(error));
    await hub.start();
    return {
      handshake: (message1) => hub.invoke<Uint8Array>('Handshake', message1),
      send: (frame) => hub.send('Send', frame),
      close: () => hub.stop(),
    };
  };
}
