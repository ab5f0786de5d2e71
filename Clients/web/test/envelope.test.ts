import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../src/protocol/bytes';
import { decodePayload, encodePayload, fromUpdate, toLoggedUpdates } from '../src/protocol/codec';
import { decodeFrame, encodeFrame, WireFormatError, type Frame } from '../src/protocol/envelope';
import { userPeer } from '../src/api/types';

// Byte vectors printed by a throwaway C# program with Messenger.Contracts' WireSerializer (MessagePack-CSharp):
// the browser client must write exactly these bytes and read the server's.
const csharp = {
  sendArgs:
    '85a47065657282a46b696e6401a2696407a972616e646f6d5f6964cf00007048860ddf79a474657874a668c3a96c6c6fab7265706c795f746f5f6964c0a56d6564696184a766696c655f696463ab746f74616c5f706172747302a46e616d65a5612e706e67a96d696d655f74797065a9696d6167652f706e67',
  callFrame:
    '92cf123456789abcdef093cf675812340000000403920092ad6d657373616765732e73656e64c479' +
    '85a47065657282a46b696e6401a2696407a972616e646f6d5f6964cf00007048860ddf79a474657874a668c3a96c6c6fab7265706c795f746f5f6964c0a56d6564696184a766696c655f696463ab746f74616c5f706172747302a46e616d65a5612e706e67a96d696d655f74797065a9696d6167652f706e67',
  containerFrame:
    '922a93cf6758123400000008049205919293cf675812340000000c0492039192cf6758123400000001cf675812340000000593cf67581234000000100492079100',
  serverFrame:
    '922a93cf6758123500000003069205919793cf675812350000000105920192cf6758123400000004c4018093cf675812350000000507920294cf6758123400000008aa464c4f4f445f57414954cd01a40393cf675812350000000908920294cf675812340000000caf504545525f49445f494e56414c4944cd0190c093cf675812350000000d09920692cf6758123400000004cf0000019384aab47b93cf67581235000000110a920993cf675812340000001011cf0000019384aab47b93cf67581235000000150a920892cf6758123400000014fb93cf67581235000000190b920492ae757064617465732e6c6f67676564c4020102',
  loggedUpdates:
    '81a7757064617465739284a370747305a97074735f636f756e7401a464617465ce674cf880a6757064617465920081a76d65737361676589a269640aa766726f6d5f696402a7746f5f7065657282a46b696e6401a2696403a464617465ce674cf880a474657874a26869ab7265706c795f746f5f6964c0a9656469745f64617465c0a6616374696f6ec0a56d6564696187a269644da46b696e64a570686f746fa46e616d65a5612e706e67a96d696d655f74797065a9696d6167652f706e67a473697a65cd04d2a577696474680aa66865696768741484a370747306a97074735f636f756e7401a464617465ce674cf881a6757064617465920482a47065657282a46b696e6402a2696404a66d61785f69640a',
};

const sendArgs = {
  peer: userPeer(7),
  random_id: 123456789012345,
  text: 'héllo',
  reply_to_id: null,
  media: { file_id: 99, total_parts: 2, name: 'a.png', mime_type: 'image/png' },
};

describe('envelope codec against the C# bytes', () => {
  it('writes call arguments exactly as MessagePack-CSharp does', () => {
    expect(toHex(encodePayload(sendArgs))).toBe(csharp.sendArgs);
  });

  it('writes a call frame byte for byte', () => {
    const frame: Frame = {
      sessionId: 0x1234_5678_9abc_def0n,
      envelope: { msgId: 0x6758_1234_0000_0004n, seqNo: 3, body: { kind: 'call', method: 'messages.send', args: encodePayload(sendArgs) } },
    };
    expect(toHex(encodeFrame(frame))).toBe(csharp.callFrame);
  });

  it('writes a container of an ack and a ping byte for byte', () => {
    const frame: Frame = {
      sessionId: 42n,
      envelope: {
        msgId: 0x6758_1234_0000_0008n,
        seqNo: 4,
        body: {
          kind: 'container',
          envelopes: [
            { msgId: 0x6758_1234_0000_000cn, seqNo: 4, body: { kind: 'ack', msgIds: [0x6758_1234_0000_0001n, 0x6758_1234_0000_0005n] } },
            { msgId: 0x6758_1234_0000_0010n, seqNo: 4, body: { kind: 'ping', pingId: 0n } },
          ],
        },
      },
    };
    expect(toHex(encodeFrame(frame))).toBe(csharp.containerFrame);
  });

  it('reads every server body kind', () => {
    const frame = decodeFrame(fromHex(csharp.serverFrame));
    expect(frame.sessionId).toBe(42n);
    expect(frame.envelope.body.kind).toBe('container');
    const inner = frame.envelope.body.kind === 'container' ? frame.envelope.body.envelopes : [];
    expect(inner.map((e) => e.body)).toEqual([
      { kind: 'result', reqMsgId: 0x6758_1234_0000_0004n, value: Uint8Array.of(0x80) },
      { kind: 'error', reqMsgId: 0x6758_1234_0000_0008n, name: 'FLOOD_WAIT', code: 420, retryAfter: 3 },
      { kind: 'error', reqMsgId: 0x6758_1234_0000_000cn, name: 'PEER_ID_INVALID', code: 400, retryAfter: null },
      { kind: 'new_session', firstMsgId: 0x6758_1234_0000_0004n, serverTimeMs: 1733097600123 },
      { kind: 'bad_msg', badMsgId: 0x6758_1234_0000_0010n, errorCode: 17, serverTimeMs: 1733097600123 },
      { kind: 'pong', reqMsgId: 0x6758_1234_0000_0014n, pingId: -5n },
      { kind: 'updates', type: 'updates.logged', payload: Uint8Array.of(1, 2) },
    ]);
    expect(inner.map((e) => e.seqNo)).toEqual([5, 7, 8, 9, 10, 10, 11]);
    expect(inner[0]!.msgId).toBe(0x6758_1235_0000_0001n);
  });

  it('round-trips what it writes', () => {
    const bytes = fromHex(csharp.serverFrame);
    expect(toHex(encodeFrame(decodeFrame(bytes)))).toBe(csharp.serverFrame);
  });

  it('reads logged updates (the Update union) into tagged updates', () => {
    const raw = decodePayload(fromHex(csharp.loggedUpdates)) as { updates: Parameters<typeof toLoggedUpdates>[0] };
    const updates = toLoggedUpdates(raw.updates);
    expect(updates[0]).toEqual({
      pts: 5,
      pts_count: 1,
      date: 1733097600,
      update: {
        type: 'new_message',
        message: {
          id: 10,
          from_id: 2,
          to_peer: { kind: 1, id: 3 },
          date: 1733097600,
          text: 'hi',
          reply_to_id: null,
          edit_date: null,
          action: null,
          media: { id: 77, kind: 'photo', name: 'a.png', mime_type: 'image/png', size: 1234, width: 10, height: 20 },
        },
      },
    });
    expect(updates[1]!.update).toEqual({ type: 'read_outbox', peer: { kind: 2, id: 4 }, max_id: 10 });
    expect(toHex(encodePayload({ updates: updates.map((u) => ({ ...u, update: fromUpdate(u.update) })) }))).toBe(csharp.loggedUpdates);
  });

  it('refuses malformed input', () => {
    expect(() => decodeFrame(encodePayload([1]))).toThrow(WireFormatError);
    expect(() => decodeFrame(encodePayload([1, [4, 1, [42, []]]]))).toThrow(WireFormatError);
    // A container inside a container.
    const nested = [1, [4, 0, [5, [[[8, 0, [5, [[]]]]]]]]];
    expect(() => decodeFrame(encodePayload(nested))).toThrow(WireFormatError);
  });
});
