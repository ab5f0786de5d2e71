import { useState } from 'preact/hooks';
import type { InputMedia, MessageMedia } from '../api/types';
import { upload } from './connection';
import { StatusLine, useStatus } from './StatusLine';

interface PhotoPickerProps {
  /** The file input's accessible name ("Profile photo", "Group photo"). */
  label: string;
  photo: MessageMedia | null | undefined;
  /** Stores the uploaded image, or removes the photo (null). */
  save: (media: InputMedia | null) => Promise<void>;
}

/** Upload (an image of at most 10 MiB) or remove a photo: a user's own, or a group's. */
export function PhotoPicker({ label, photo, save }: PhotoPickerProps) {
  const [busy, setBusy] = useState(false);
  const { status, submit } = useStatus();
  const change = (files: FileList | null) => {
    const file = files?.[0];
    if (!file) return;
    void submit(async () => {
      setBusy(true);
      try {
        await save(await upload(file, { signal: new AbortController().signal, onProgress: () => undefined }));
        return 'Photo saved';
      } finally {
        setBusy(false);
      }
    })(new Event('submit'));
  };
  const remove = submit(async () => {
    await save(null);
    return 'Photo removed';
  });
  return (
    <div class="profile__photo">
      <label class={`btn${busy ? ' btn--busy' : ''}`}>
        {busy ? 'Uploading…' : photo ? 'Change photo' : 'Add a photo'}
        <input
          type="file"
          class="visually-hidden"
          accept="image/png,image/jpeg,image/gif,image/webp"
          aria-label={label}
          disabled={busy}
          onChange={(e) => {
            change(e.currentTarget.files);
            e.currentTarget.value = '';
          }}
        />
      </label>
      {photo && (
        <button type="button" class="btn btn--ghost" onClick={remove} disabled={busy}>
          Remove photo
        </button>
      )}
      <StatusLine status={status} />
    </div>
  );
}
