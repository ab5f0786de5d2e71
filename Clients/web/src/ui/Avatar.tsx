import { initials } from './format';

interface AvatarProps {
  id: number;
  name: string;
  online?: boolean;
  size?: 'sm' | 'md' | 'lg';
}

export function Avatar({ id, name, online, size = 'md' }: AvatarProps) {
  return (
    <span class={`avatar avatar--${size} avatar--c${Math.abs(id) % 7}`} aria-hidden="true">
      {initials(name)}
      {online && <span class="avatar__online" />}
    </span>
  );
}
