/**
 * The browser's Messenger client: one object per app instance.
 *
 *   const client = await MessengerClient.connect({ url: location.origin, serverPublicKeyHex, deviceName: 'Firefox' });
 *   client.onState(state => …);                 // 'connecting' | 'online' | 'offline' (waiting to retry)
 *   client.events.subscribe(event => …);        // typed MessengerEvent stream (types.ts); subscribe before startUpdates
 *   if (!client.signedIn) await client.auth.signIn({ username, password });   // remembered in the keyStore
 *   await client.startUpdates();                // after sign-in, or at start when client.signedIn is set
 *   await client.messages.send({ peer: userPeer(7), text: 'hi' });
 *   const media = await client.uploadFile(file, { onProgress }); await client.messages.send({ peer, text: '', media });
 *   const blob = await client.downloadFile(message.media!, { onProgress });
 *   client.call<T>('method.name', { …args })   // any method; throws RpcError { name, code, retryAfter? }
 *   await client.close();
 *
 * Methods are grouped like the RPC names (client.auth.signIn → auth.signIn) and take the contracts' argument keys.
 * Events: the user's own sends and edits come back as new_message / message_edited with `out: true` (once);
 * forwarded messages do not (use messages.forward's result). A `resync` event means too much was missed: refetch
 * dialogs and the open history. `signed_out` means this device lost its authorization (signed out or revoked).
 * `connect` throws ConnectionError when the server is unreachable or does not hold the pinned key; afterwards a
 * dropped connection is retried with back-off, resuming the same session (unanswered calls are resent with their
 * msg_ids, so the server runs each once) and catching up on updates. Calls made while offline wait (up to their
 * timeout) for the connection to return. The device's static key is its identity: it is kept in `keyStore`
 * (IndexedDB by default in the browser); the session id lives in memory, one per client object.
 */
import { createMethods, type CallOptions, type Methods } from './methods';
import { FILES_UPLOADING_AT_ONCE, downloadFile, downloadThumbnail, taskQueue, uploadFile, type DownloadOptions, type MediaDescription, type UploadOptions } from './media';
import { REPEATABLE_METHODS } from './repeatable';
import { ErrorNames, RpcError, type ChatChanged, type ConnectionState, type InputMedia, type LoginToken, type MessageMedia, type MessengerEvent, type SignedIn } from './types';
import { defaultKeyStore, type DeviceKeyStore } from '../protocol/keystore';
import { ConnectionError, ProtocolSession, type SessionOptions } from '../protocol/session';
import { signalRTransport } from '../protocol/transport';
import { UpdateStream } from '../protocol/updates';
import { decodePayload, encodeArgs } from '../protocol/codec';
import { fromHex } from '../protocol/bytes';
import { ready as sodiumReady } from '../protocol/sodium';
import { Emitter, type Subscribable } from '../protocol/emitter';

export interface ConnectOptions {
  /** The server's base URL (the hub is at `/rpc` under it), e.g. `location.origin`. */
  url: string;
  /** The server's static public key (64 hex characters), pinned. */
  serverPublicKeyHex: string;
  keyStore?: DeviceKeyStore;
  /** Shown in the account's device list (auth.signIn and auth.exportLoginToken default to it). */
  deviceName?: string;
  platform?: string;
  callTimeoutMs?: number;
  /** A link that brings nothing for this long is given up and reconnected (default `SERVER_TIMEOUT_MS`, 15 s). */
  serverTimeoutMs?: number;
  /** The longest wait between two attempts to reconnect (default 10 s, doubling from 250 ms). */
  reconnectMaxDelayMs?: number;
  /** Report incoming messages as delivered (messages.received) once events have them. Default true. */
  autoReceipt?: boolean;
  /** Test seam: the transport to use instead of SignalR. */
  transport?: SessionOptions['transport'];
}

type AuthMethods = Omit<Methods['auth'], 'signIn' | 'exportLoginToken'> & {
  /** device_name and platform default to the client's. */
  signIn(a: { username: string; password: string; device_name?: string; platform?: string }, o?: CallOptions): Promise<SignedIn>;
  exportLoginToken(a?: { device_name?: string; platform?: string }, o?: CallOptions): Promise<LoginToken>;
};

export class MessengerClient {
  readonly auth: AuthMethods;
  readonly account: Methods['account'];
  readonly users: Methods['users'];
  readonly contacts: Methods['contacts'];
  readonly messages: Methods['messages'];
  readonly groups: Methods['groups'];
  readonly updates: Methods['updates'];
  readonly upload: Methods['upload'];
  readonly help: Methods['help'];
  readonly admin: Methods['admin'];
  readonly bots: Methods['bots'];
  readonly phone: Methods['phone'];
  readonly secret: Methods['secret'];
  /** Every event of the signed-in user, once and in order. */
  readonly events: Subscribable<MessengerEvent>;
  readonly deviceName: string;
  readonly platform: string;

  private readonly stateEmitter = new Emitter<ConnectionState>();
  private readonly fileUploads = taskQueue(FILES_UPLOADING_AT_ONCE);
  private signedInUser: SignedIn | null;

  private constructor(
    private readonly session: ProtocolSession,
    private readonly stream: UpdateStream,
    private readonly keyStore: DeviceKeyStore,
    signedIn: SignedIn | null,
    options: ConnectOptions,
  ) {
    this.signedInUser = signedIn;
    this.deviceName = options.deviceName ?? 'Web browser';
    this.platform = options.platform ?? 'web';
    this.events = stream.events;
    const methods = createMethods((method, args, callOptions) => this.call(method, args, callOptions));
    this.auth = {
      ...methods.auth,
      signIn: async (a, o) =>
        this.remember(
          await methods.auth.signIn({ ...a, device_name: a.device_name ?? this.deviceName, platform: a.platform ?? this.platform }, o),
        ),
      exportLoginToken: (a = {}, o) =>
        methods.auth.exportLoginToken({ device_name: a.device_name ?? this.deviceName, platform: a.platform ?? this.platform }, o),
      signOut: async (o) => {
        const done = await methods.auth.signOut(o);
        await this.forget();
        return done;
      },
    };
    this.account = {
      ...methods.account,
      // A temporary password replaced: the remembered sign-in is no longer restricted (a reload resumes the app).
      changePassword: async (a, o) => {
        const done = await methods.account.changePassword(a, o);
        if (this.signedInUser?.password_change_required) await this.remember({ ...this.signedInUser, password_change_required: false });
        return done;
      },
      updateProfile: async (a, o) => {
        const user = await methods.account.updateProfile(a, o);
        if (this.signedInUser?.user.id === user.id) await this.remember({ ...this.signedInUser, user });
        return user;
      },
    };
    this.users = methods.users;
    this.contacts = observeContacts(methods.contacts, stream);
    this.messages = observeMessages(methods.messages, stream);
    this.groups = observeGroups(methods.groups, stream);
    this.updates = methods.updates;
    this.upload = methods.upload;
    this.help = methods.help;
    this.bots = methods.bots;
    this.phone = methods.phone;
    this.secret = methods.secret;
    this.admin = methods.admin;
    session.onState((state) => this.stateEmitter.emit(state));
    stream.events.subscribe((event) => {
      if (event.type === 'login_token_accepted') void this.remember(event.signedIn);
    });
  }

  static async connect(options: ConnectOptions): Promise<MessengerClient> {
    await sodiumReady();
    const keyStore = options.keyStore ?? defaultKeyStore();
    const deviceKey = await keyStore.getOrCreate();
    const signedIn = await keyStore.loadSignedIn();
    const session = new ProtocolSession({
      transport: options.transport ?? signalRTransport(options.url, undefined, options.serverTimeoutMs),
      serverPublicKey: fromHex(options.serverPublicKeyHex),
      deviceKey,
      callTimeoutMs: options.callTimeoutMs ?? 30_000,
      reconnectMaxDelayMs: options.reconnectMaxDelayMs,
    });
    // The stream's calls go through the client, which notices a revoked authorization (AUTH_KEY_UNREGISTERED).
    const stream = new UpdateStream(
      {
        getState: () => client.updates.getState(),
        getDifference: (pts) => client.updates.getDifference({ pts }),
        getChannelDifference: (chatId, pts) => client.updates.getChannelDifference({ chat_id: chatId, pts }),
        received: (maxId) => client.messages.received({ max_id: maxId }),
      },
      { autoReceipt: options.autoReceipt ?? true, selfId: () => client.signedIn?.user.id ?? 0 },
    );
    const client: MessengerClient = new MessengerClient(session, stream, keyStore, signedIn, options);
    session.onPush((kind, payload) => {
      if (!stream.accept(kind, payload)) console.warn(`unknown push kind ${kind}`);
    });
    session.onResync(() => stream.requestDifference());
    // Back online (the browser says so): retry now instead of waiting out the back-off.
    globalThis.addEventListener?.('online', client.onlineListener);
    try {
      await session.open();
    } catch (error) {
      await client.close();
      throw error;
    }
    return client;
  }

  /** The stored sign-in of this device (survives reloads), or null; cleared on sign-out or revocation. */
  get signedIn(): SignedIn | null {
    return this.signedInUser;
  }

  get state(): ConnectionState {
    return this.session.state;
  }

  /** Calls back with each connection state change; returns the unsubscribe function. */
  onState(callback: (state: ConnectionState) => void): () => void {
    return this.stateEmitter.subscribe(callback);
  }

  /** The device's static public key (hex): its identity to the server. */
  get devicePublicKeyHex(): string {
    return this.session.devicePublicKeyHex;
  }

  /**
   * Calls any RPC method with its argument map; throws `RpcError`. A call whose answer the server let go before it
   * arrived (RESULT_DROPPED) is sent once more, as a new call with the same arguments, when it is safe to run again
   * (`REPEATABLE_METHODS`: the same set the .NET SDK repeats); a second RESULT_DROPPED, or one for any other call, is thrown.
   * `options.answeredLate` takes the answer that still comes once the call was given up (decoded).
   */
  async call<T>(method: string, args: object, options: CallOptions<T> = {}): Promise<T> {
    const { answeredLate, ...rest } = options;
    const sessionOptions = answeredLate ? { ...rest, answeredLate: (value: Uint8Array) => answeredLate(decodePayload(value) as T) } : rest;
    try {
      const encoded = encodeArgs(args);
      try {
        return decodePayload(await this.session.call(method, encoded, sessionOptions)) as T;
      } catch (error) {
        if (!(error instanceof RpcError && error.name === ErrorNames.ResultDropped && REPEATABLE_METHODS.has(method))) throw error;
        return decodePayload(await this.session.call(method, encoded, sessionOptions)) as T;
      }
    } catch (error) {
      if (error instanceof RpcError && error.name === 'AUTH_KEY_UNREGISTERED' && this.signedInUser) await this.forget();
      throw error;
    }
  }

  /**
   * Starts the update stream: from `pts` (persisted by the app: first reports what was missed since) or from the
   * server's current state. `channelPts` are the persisted positions in large groups' own logs (by chat id); a large
   * group without one starts at its current position.
   */
  startUpdates(pts?: number, channelPts?: ReadonlyMap<number, number>): Promise<void> {
    return this.stream.start(pts, channelPts);
  }

  /** The app holds the incoming private-chat messages up to `maxId` (e.g. the chat list's newest ones after it was
   * read): reports them delivered with the stream's own `messages.received` (no-op when `autoReceipt` is off). */
  reportReceived(maxId: number): void {
    this.stream.observeReceived(maxId);
  }

  /** The page is being hidden or closed: the delivered receipt waiting out its delay goes now (its id and whether the
   * server answered; null when none waits). */
  flushReceipt(): { maxId: number; sent: Promise<boolean> } | null {
    return this.stream.flushReceipt();
  }

  /** The local position of the user's update log (persist it to resume with `startUpdates(pts)`). */
  get pts(): number {
    return this.stream.pts;
  }

  /** The local positions in large groups' own logs, by chat id (persist them with `pts`). */
  get channelPts(): ReadonlyMap<number, number> {
    return this.stream.channelPts;
  }

  uploadFile(file: Blob, options: UploadOptions & { name?: string; mimeType?: string; describe?: MediaDescription } = {}): Promise<InputMedia> {
    return this.fileUploads(() => uploadFile(this.upload, file, options), options.signal);
  }

  downloadFile(media: MessageMedia, options: DownloadOptions = {}): Promise<Blob> {
    return downloadFile(this.upload, media, options);
  }

  /** The media's 320 px thumbnail (a JPEG); throws MEDIA_INVALID when it has none. */
  downloadThumbnail(media: MessageMedia, options: { signal?: AbortSignal } = {}): Promise<Blob> {
    return downloadThumbnail(this.upload, media, options);
  }

  async close(): Promise<void> {
    globalThis.removeEventListener?.('online', this.onlineListener);
    this.stream.stop();
    await this.session.close();
  }

  private readonly onlineListener = () => this.session.retryNow();

  private async remember(signedIn: SignedIn): Promise<SignedIn> {
    this.signedInUser = signedIn;
    await this.keyStore.saveSignedIn(signedIn);
    return signedIn;
  }

  private async forget(): Promise<void> {
    this.signedInUser = null;
    this.stream.stop();
    await this.keyStore.saveSignedIn(null);
    this.stream.emit({ type: 'signed_out' });
  }
}

// The caller's own changes move its log position like the matching updates (MessageMethods.cs, GroupMethods.cs).
function observeMessages(messages: Methods['messages'], stream: UpdateStream): Methods['messages'] {
  return {
    ...messages,
    send: async (a, o) => observed(await messages.send(a, o), (sent) => stream.observeSent(sent, false, a.random_id)),
    edit: async (a, o) => observed(await messages.edit(a, o), (sent) => stream.observeSent(sent, true)),
    delete: async (a, o) => observed(await messages.delete(a, o), (affected) => stream.observeAffected(affected, a.peer)),
    deleteHistory: async (a, o) =>
      observed(await messages.deleteHistory(a, o), (batch) => stream.observeAffected({ pts: batch.pts, pts_count: batch.pts_count, channel: false })),
    readHistory: async (a, o) => observed(await messages.readHistory(a, o), (affected) => stream.observeAffected(affected, a.peer)),
    pin: async (a, o) => observed(await messages.pin(a, o), (affected) => stream.observeAffected(affected, a.peer)),
    unpinAll: async (a, o) => observed(await messages.unpinAll(a, o), (affected) => stream.observeAffected(affected, a.peer)),
    sendReaction: async (a, o) => observed(await messages.sendReaction(a, o), (changed) => stream.observeAffected(changed, a.peer)),
    sendPoll: async (a, o) => observed(await messages.sendPoll(a, o), (sent) => stream.observeSent(sent, false, a.random_id)),
    sendVote: async (a, o) => observed(await messages.sendVote(a, o), (changed) => stream.observeAffected(changed, a.peer)),
    closePoll: async (a, o) => observed(await messages.closePoll(a, o), (changed) => stream.observeAffected(changed, a.peer)),
    toggleDialogPin: async (a, o) => observed(await messages.toggleDialogPin(a, o), (affected) => stream.observeAffected(affected)),
    markDialogUnread: async (a, o) => observed(await messages.markDialogUnread(a, o), (affected) => stream.observeAffected(affected)),
    toggleDialogArchive: async (a, o) => observed(await messages.toggleDialogArchive(a, o), (affected) => stream.observeAffected(affected)),
    saveDraft: async (a, o) => observed(await messages.saveDraft(a, o), (affected) => stream.observeAffected(affected)),
    updateNotifySettings: async (a, o) => observed(await messages.updateNotifySettings(a, o), (affected) => stream.observeAffected(affected)),
    forward: async (a, o) => observed(await messages.forward(a, o), (forwarded) => stream.observeAffected(forwarded, a.to_peer)),
  };
}

function observeGroups(groups: Methods['groups'], stream: UpdateStream): Methods['groups'] {
  const member = (changed: ChatChanged) => observed(changed, () => stream.observeChatChanged(changed, true));
  return {
    ...groups,
    create: async (a, o) => member(await groups.create(a, o)),
    addMembers: async (a, o) => member(await groups.addMembers(a, o)),
    removeMember: async (a, o) => member(await groups.removeMember(a, o)),
    leave: async (a, o) => observed(await groups.leave(a, o), (changed) => stream.observeChatChanged(changed, false)),
    delete: async (a, o) => observed(await groups.delete(a, o), (changed) => stream.observeChatChanged(changed, false)),
    editTitle: async (a, o) => member(await groups.editTitle(a, o)),
    editPhoto: async (a, o) => member(await groups.editPhoto(a, o)),
    editAbout: async (a, o) => member(await groups.editAbout(a, o)),
    editPermissions: async (a, o) => member(await groups.editPermissions(a, o)),
    setAdmin: async (a, o) => member(await groups.setAdmin(a, o)),
    joinByInvite: async (a, o) => member(await groups.joinByInvite(a, o)),
  };
}

function observeContacts(contacts: Methods['contacts'], stream: UpdateStream): Methods['contacts'] {
  return {
    ...contacts,
    addContact: async (a, o) =>
      observed(await contacts.addContact(a, o), (saved) => stream.observeAffected({ pts: saved.pts, pts_count: saved.pts_count, channel: false })),
    deleteContacts: async (a, o) => observed(await contacts.deleteContacts(a, o), (affected) => stream.observeAffected(affected)),
  };
}

function observed<T>(result: T, observe: (result: T) => void): T {
  observe(result);
  return result;
}

export { ConnectionError, RpcError };
export type { CallOptions, DeviceKeyStore, UploadOptions, DownloadOptions };
