import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { Icon } from './Icon';

interface ModalProps {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  wide?: boolean;
}

/** A dialog over the app: Escape or the backdrop closes it, focus moves into it and back out after (unless it moved
 * elsewhere meanwhile). */
export function Modal({ title, onClose, children, wide }: ModalProps) {
  const box = useRef<HTMLDivElement>(null);
  // A layout effect: a plain one waits for the next frame, which a tab in the background may not paint for a while, and
  // an Escape pressed meanwhile would be lost.
  useLayoutEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    box.current?.querySelector<HTMLElement>('input, textarea, select, button:not(.modal__close)')?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      // Back to where the focus was, unless it moved on while the dialog finished (a choice that saves first, and the
      // user already in the message box): taking it back would send their next keys to the dialog's opener.
      const now = document.activeElement;
      if (!now || now === document.body || box.current?.contains(now)) previous?.focus();
    };
  }, []);
  return (
    <div class="modal-backdrop" onClick={(event) => event.target === event.currentTarget && onClose()}>
      <div class={`modal${wide ? ' modal--wide' : ''}`} role="dialog" aria-modal="true" aria-label={title} ref={box}>
        <header class="modal__header">
          <h2>{title}</h2>
          <button type="button" class="icon-btn modal__close" aria-label="Close" onClick={onClose}>
            <Icon name="close" />
          </button>
        </header>
        <div class="modal__body">{children}</div>
      </div>
    </div>
  );
}

/** Asks before something that cannot be taken back: what it does, its button (danger) and Cancel. */
export function Confirm({ title, text, action, onConfirm, onClose }: { title: string; text: string; action: string; onConfirm: () => void; onClose: () => void }) {
  return (
    <Modal title={title} onClose={onClose}>
      <p class="muted">{text}</p>
      <div class="button-column">
        <button type="button" class="btn btn--danger" onClick={onConfirm}>
          {action}
        </button>
        <button type="button" class="btn btn--ghost" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}
