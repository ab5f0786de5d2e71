// The SignalR hub at /rpc carries opaque frames: Handshake(byte[]) → byte[], Send(byte[]), and Receive(byte[]) back.
import { HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import type { Link, LinkHandlers, Transport } from './session';

export const HUB_PATH = '/rpc';

// SignalR's own logging is off by default: its connection errors surface as ConnectionError and reconnects are ours.
export function signalRTransport(baseUrl: string, logLevel: LogLevel = LogLevel.None): Transport {
  const url = new URL(HUB_PATH, baseUrl).toString();
  return async (handlers: LinkHandlers): Promise<Link> => {
    const hub = new HubConnectionBuilder().withUrl(url).withHubProtocol(new MessagePackHubProtocol()).configureLogging(logLevel).build();
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
