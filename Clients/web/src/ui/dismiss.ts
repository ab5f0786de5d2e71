import { useLayoutEffect, useRef } from 'preact/hooks';

/**
 * A small menu or popover that stays on the page (not a Modal): while open, Escape or a press outside the returned
 * element (which should hold the button that opens it too) closes it; `byKey` says it was Escape, after which focus
 * belongs back on that button. Escape is taken in the capture phase and marked handled, so the app's own Escape
 * (close the info panel, go back to the chat list) waits for the next press; while a dialog (opened over the menu) is
 * up, Escape is the dialog's. The listeners are set in a layout effect: a plain effect waits for the next frame, which a
 * tab in the background may not paint for a while, and an Escape pressed meanwhile would be lost.
 */
export function useDismiss<T extends HTMLElement>(open: boolean, close: (byKey: boolean) => void) {
  const ref = useRef<T>(null);
  const latest = useRef(close);
  latest.current = close;
  useLayoutEffect(() => {
    if (!open) return;
    const outside = (e: PointerEvent) => {
      if (!ref.current?.contains(e.target as Node)) latest.current(false);
    };
    const keys = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      const dialog = document.querySelector('[aria-modal="true"]');
      if (dialog && !(ref.current && dialog.contains(ref.current))) return;
      e.preventDefault();
      latest.current(true);
    };
    // Registered after the press that opened it has ended, so that press does not close it again.
    const timer = setTimeout(() => document.addEventListener('pointerdown', outside));
    document.addEventListener('keydown', keys, true);
    return () => {
      clearTimeout(timer);
      document.removeEventListener('pointerdown', outside);
      document.removeEventListener('keydown', keys, true);
    };
  }, [open]);
  return ref;
}

/**
 * A menu while open: focus on its first enabled item, the Up and Down arrows move between its items (round), and
 * Escape or a press outside closes it (useDismiss; `close` is told whether a key closed it, to give focus back).
 */
export function useMenu<T extends HTMLElement>(open: boolean, close: (byKey: boolean) => void) {
  const menu = useDismiss<T>(open, close);
  useLayoutEffect(() => {
    if (!open) return;
    const items = () => Array.from(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]:not(:disabled)') ?? []);
    items()[0]?.focus();
    const arrows = (e: KeyboardEvent) => {
      if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
      const list = items();
      const at = list.indexOf(document.activeElement as HTMLElement);
      e.preventDefault();
      list[(at + (e.key === 'ArrowDown' ? 1 : list.length - 1)) % list.length]?.focus();
    };
    document.addEventListener('keydown', arrows);
    return () => document.removeEventListener('keydown', arrows);
  }, [open]);
  return menu;
}
