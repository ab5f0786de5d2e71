import { useEffect, useState } from 'preact/hooks';
import type { MessageMedia } from '../api/types';
import { initials } from './format';
import { mediaUrl } from './media';

interface AvatarProps {
  id: number;
  name: string;
  online?: boolean;
  size?: 'sm' | 'md' | 'lg';
  /** A user's profile photo: shown once downloaded (the initials until then, or if it cannot be). */
  photo?: MessageMedia | null;
}

export function Avatar({ id, name, online, size = 'md', photo }: AvatarProps) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    setUrl(null);
    if (!photo) return;
    let live = true;
    mediaUrl(photo).then(
      (u) => live && setUrl(u),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [photo?.id]);
  return (
    <span class={`avatar avatar--${size} avatar--c${Math.abs(id) % 7}`} aria-hidden="true">
      {url ? <img class="avatar__img" src={url} alt="" data-testid="avatar-photo" /> : initials(name)}
      {online && <span class="avatar__online" />}
    </span>
  );
}
