import { useEffect, useState } from 'preact/hooks';
import type { MessageMedia } from '../api/types';
import { initials } from './format';
import { previewUrl, thumbUrl } from './media';

interface AvatarProps {
  id: number;
  name: string;
  online?: boolean;
  size?: 'sm' | 'md' | 'lg';
  /** A user's or group's photo: its thumbnail once downloaded (the blurred preview, or the initials, until then; the
   * initials if it cannot be had). */
  photo?: MessageMedia | null;
}

export function Avatar({ id, name, online, size = 'md', photo }: AvatarProps) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    setUrl(null);
    if (!photo) return;
    let live = true;
    thumbUrl(photo).then(
      (u) => live && setUrl(u),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [photo?.id]);
  const preview = photo ? previewUrl(photo) : null;
  return (
    <span class={`avatar avatar--${size} avatar--c${Math.abs(id) % 7}`} aria-hidden="true">
      {url ? (
        <img class="avatar__img" src={url} alt="" data-testid="avatar-photo" />
      ) : preview ? (
        <img class="avatar__img avatar__img--preview" src={preview} alt="" />
      ) : (
        initials(name)
      )}
      {online && <span class="avatar__online" />}
    </span>
  );
}
