import { describe, expect, it } from 'vitest';
import { MuteForever, RpcError, isMuted, userPeer, type Message, type MessageMedia } from '../src/api/types';
import { errorText, reportPlace } from '../src/ui/format';
import { periodText, previewText, unsentText } from '../src/ui/peers';
import type { AppState } from '../src/ui/store';

describe('error text', () => {
  it('says a FLOOD_WAIT on sending is about sending, with the wait', () => {
    expect(errorText(new RpcError('FLOOD_WAIT', 420, 3, 'messages.send'))).toBe('Sending too fast, try again in 3 s');
    expect(errorText(new RpcError('FLOOD_WAIT', 420, 60, 'auth.signIn'))).toBe('Too many attempts, try again in 60 s');
    expect(errorText(new RpcError('FLOOD_WAIT', 420, 2, 'groups.editTitle'))).toBe('Too fast, try again in 2 s');
    expect(errorText(new RpcError('FLOOD_WAIT', 420, 1, 'phone.requestCall'))).toBe('Too fast, try again in 1 s');
  });

  it('says UPLOADS_TOO_MANY is about unfinished uploads, its day-long wait in hours', () => {
    expect(errorText(new RpcError('UPLOADS_TOO_MANY', 420, 86_400, 'upload.saveFilePart'))).toBe(
      'Too many uploads unfinished: send the files being uploaded first, or try again in 24 h',
    );
  });

  it('tells the common errors in plain words', () => {
    expect(errorText(new RpcError('CREDENTIALS_INVALID', 400, undefined, 'auth.signIn'))).toBe('Wrong username or password');
    expect(errorText(new RpcError('USERNAME_OCCUPIED', 400, undefined, 'auth.register'))).toBe('This username is taken: choose another');
    expect(errorText(new RpcError('PHOTO_INVALID', 400, undefined, 'account.updateProfilePhoto'))).toBe(
      'This file type is not accepted: use a PNG, JPEG, GIF or WebP image',
    );
    expect(errorText(new RpcError('MESSAGE_TOO_LONG', 400, undefined, 'messages.send'))).toBe('The message is too long');
  });

  it("tells a group's invite that leads nowhere in words, apart from the server's sign-up code", () => {
    expect(errorText(new RpcError('INVITE_HASH_INVALID', 400, undefined, 'groups.joinByInvite'))).toBe(
      'There is no group or channel with this invite: check the link or code',
    );
    expect(errorText(new RpcError('INVITE_HASH_EXPIRED', 400, undefined, 'groups.joinByInvite'))).toBe(
      'This invite has expired, been used up or withdrawn: ask for a new one',
    );
    expect(errorText(new RpcError('INVITE_CODE_INVALID', 400, undefined, 'auth.register'))).toBe('This invite code is not valid');
  });

  it('reads any other error name as a sentence', () => {
    expect(errorText(new RpcError('POLL_CLOSED', 400, undefined, 'messages.sendVote'))).toBe('Poll closed');
  });
});

describe('muting', () => {
  it('counts a chat as muted only until its mute_until', () => {
    const now = 1_733_097_600_000;
    expect(isMuted({ mute_until: 0 }, now)).toBe(false);
    expect(isMuted({}, now)).toBe(false);
    expect(isMuted(undefined, now)).toBe(false);
    expect(isMuted({ mute_until: now / 1000 + 1 }, now)).toBe(true);
    expect(isMuted({ mute_until: now / 1000 }, now)).toBe(false);
    expect(isMuted({ mute_until: MuteForever }, now)).toBe(true);
  });
});

describe('auto-delete periods', () => {
  it('are said in the largest whole unit', () => {
    expect(periodText(3_600)).toBe('1 hour');
    expect(periodText(86_400)).toBe('1 day');
    expect(periodText(2 * 86_400)).toBe('2 days');
    expect(periodText(7 * 86_400)).toBe('1 week');
    expect(periodText(30 * 86_400)).toBe('1 month');
    expect(periodText(366 * 86_400)).toBe('366 days');
    expect(periodText(90 * 60)).toBe('90 minutes');
    expect(periodText(90)).toBe('90 seconds');
  });
});

describe('chat list preview', () => {
  const state = {} as AppState;
  const media = (kind: string, name: string, duration?: number | null, mimeType?: string): MessageMedia => ({
    id: 1,
    kind,
    name,
    mime_type: mimeType ?? (kind === 'photo' ? 'image/jpeg' : 'application/octet-stream'),
    size: 1000,
    width: null,
    height: null,
    duration,
  });
  const message = (m: MessageMedia, text = ''): Message => ({ id: 1, from_id: 2, to_peer: userPeer(3), date: 0, text, media: m });

  it('names a video and a voice message with their length instead of the file name', () => {
    expect(previewText(state, message(media('video', 'clip.webm', 12)))).toBe('Video 0:12');
    expect(previewText(state, message(media('video', 'long.mp4', 3_725)))).toBe('Video 62:05');
    expect(previewText(state, message(media('audio', 'voice-1733097600000.webm', 7)))).toBe('Voice message 0:07');
  });

  it('leaves the length out when the sender gave none, and keeps the caption after it', () => {
    expect(previewText(state, message(media('video', 'old.mp4')))).toBe('Video');
    expect(previewText(state, message(media('audio', 'voice-1.ogg', null)))).toBe('Voice message');
    expect(previewText(state, message(media('video', 'clip.webm', 0), 'look'))).toBe('Video 0:00, look');
  });

  it('still says Photo for a photo and the name for a song or a file', () => {
    expect(previewText(state, message(media('photo', 'cat.jpg')))).toBe('Photo');
    expect(previewText(state, message(media('audio', 'song.mp3', 200)))).toBe('song.mp3');
    expect(previewText(state, message(media('document', 'report.pdf')))).toBe('report.pdf');
  });

  it('names a photo of a type the app does not show by its file name', () => {
    expect(previewText(state, message(media('photo', 'logo.svg', null, 'image/svg+xml')))).toBe('logo.svg');
    expect(previewText(state, message(media('photo', 'scan.tiff', null, 'image/tiff'), 'page 1'))).toBe('scan.tiff, page 1');
  });

  it('shows a message text and a caption without their markup', () => {
    const text: Message = { id: 1, from_id: 2, to_peer: userPeer(3), date: 0, text: 'Bring water. **Lots** of water.' };
    expect(previewText(state, text)).toBe('Bring water. Lots of water.');
    expect(previewText(state, message(media('photo', 'cat.jpg'), 'the `cat`'))).toBe('Photo, the cat');
  });
});

describe('an unsent message in a chat row', () => {
  const input = (name: string, mime_type: string, duration?: number) => ({ file_id: 1, total_parts: 1, name, mime_type, duration });

  it('says what it will be once stored: the text without markup, or the media as previewText names it', () => {
    expect(unsentText({ text: 'On my **way**', media: null })).toBe('On my way');
    expect(unsentText({ text: '', media: input('cat.jpg', 'image/jpeg') })).toBe('Photo');
    expect(unsentText({ text: 'look', media: input('clip.webm', 'video/webm', 12) })).toBe('Video 0:12, look');
    expect(unsentText({ text: '', media: input('voice-1733097600000.webm', 'audio/webm', 7) })).toBe('Voice message 0:07');
    expect(unsentText({ text: 'the report', media: input('report.pdf', 'application/pdf') })).toBe('report.pdf, the report');
  });
});

describe('reportPlace', () => {
  const name = (id: number) => `user ${id}`;

  it('names the group, the reporter of a private chat, or says the group was deleted', () => {
    expect(reportPlace({ chat_title: 'Club', reporter_id: 4 }, name)).toBe('in Club');
    expect(reportPlace({ chat_title: null, reporter_id: 4 }, name)).toBe('to user 4');
    expect(reportPlace({ chat_title: null, chat_deleted: true, reporter_id: 4 }, name)).toBe('in a deleted group');
  });
});
