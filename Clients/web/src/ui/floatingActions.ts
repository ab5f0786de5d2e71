import { useLayoutEffect, useRef, useState } from 'preact/hooks';

/** The width below which a message's actions float over the history instead of standing beside the bubble (app.css). */
const PHONE = '(max-width: 720px)';
/** What inside a bubble does something of its own when tapped (a link, a poll's option, a bot's button, a player). */
const INTERACTIVE = 'a, button, input, label, select, textarea, audio, video, [role="button"]';

/**
 * A message's action bar on a phone, where it floats over the history (app.css): a tap on the message shows it, a tap
 * elsewhere, a scroll of the history or an action taken from it hides it. Hover is no guide there (a touch screen keeps
 * the last tapped message hovered, and its bar would stay over the message before it, taking the taps meant for that
 * one's poll or reactions), so the stylesheet shows the bar only for `open`, an open reactions menu, keyboard focus or
 * a real mouse's hover. Each time it shows, `below` says whether it has to drop below the message: at the top of the
 * history there is no room above for the bar and the reactions menu, which the scrolling box would cut off.
 */
export function useFloatingActions(picking: boolean, closePicker: () => void) {
  const row = useRef<HTMLDivElement>(null);
  const bar = useRef<HTMLDivElement>(null);
  const [open, setOpen] = useState(false);
  const [below, setBelow] = useState(false);

  const place = () => {
    const message = row.current;
    const actions = bar.current;
    if (!message || !actions || !matchMedia(PHONE).matches) return;
    const box = scrollingBox(message).getBoundingClientRect();
    const own = message.getBoundingClientRect();
    const menu = actions.querySelector<HTMLElement>('.react-picker__menu');
    const needed = actions.offsetHeight + (menu?.offsetHeight ?? 0);
    const above = own.top - box.top;
    setBelow(above < needed && box.bottom - own.bottom > above);
  };

  // Measured again as the bar shows or the reactions menu opens over it (the menu's height counts).
  useLayoutEffect(() => {
    if (open || picking) place();
    else setBelow(false);
  }, [open, picking]);

  useLayoutEffect(() => {
    if (!open) return;
    const outside = (e: PointerEvent) => {
      if (!row.current?.contains(e.target as Node)) setOpen(false);
    };
    // (A dialog opened from the message — a report, a poll's voters — is drawn inside its row: a
    // press there is not a press on the message; see onClick.)
    // Only a scroll that moves the message counts, and not the app's own keeping of the newest message in view: older
    // messages loaded above leave it where it was on screen, and a new one at the bottom scrolls a history that is
    // at its end.
    const where = () => (row.current ? row.current.getBoundingClientRect().top - scrollingBox(row.current).getBoundingClientRect().top : 0);
    const opened = where();
    const scrolled = (e: Event) => {
      if (!(e.target instanceof Element) || !e.target.contains(row.current)) return;
      const atEnd = e.target.scrollTop + e.target.clientHeight >= e.target.scrollHeight - 2;
      if (Math.abs(where() - opened) <= 4 || atEnd) return;
      setOpen(false);
      closePicker();
    };
    document.addEventListener('pointerdown', outside, true);
    document.addEventListener('scroll', scrolled, true);
    return () => {
      document.removeEventListener('pointerdown', outside, true);
      document.removeEventListener('scroll', scrolled, true);
    };
  }, [open]);

  // Taken in the capture phase, before the button's own handler: what it changes re-renders before the click bubbles
  // up (a reaction chosen takes its menu away, Pin becomes Unpin), and a detached button would no longer be in the bar.
  const onClick = (e: MouseEvent) => {
    if (!matchMedia(PHONE).matches) return;
    const target = e.target as Element;
    if (bar.current?.contains(target)) {
      // An action taken closes the bar, as a menu closes; React only opens its own menu (a reaction chosen closes both).
      const button = target.closest('button');
      if (button && (!button.closest('.react-picker') || button.closest('.react-picker__menu'))) setOpen(false);
      return;
    }
    if (target.closest(INTERACTIVE) || target.closest('[aria-modal="true"]')) return;
    setOpen(!open);
  };

  return {
    row,
    bar,
    open,
    below,
    onClick,
    // A mouse's hover and keyboard focus show the bar through the stylesheet alone; it is placed as they come.
    onPointerEnter: (e: PointerEvent) => {
      if (e.pointerType === 'mouse') place();
    },
    onPointerLeave: (e: PointerEvent) => {
      // A bar dropped below the last message, though unseen, would lengthen the history's scroll.
      if (e.pointerType === 'mouse' && !open && !picking) setBelow(false);
    },
    onFocusIn: place,
  };
}

function scrollingBox(element: HTMLElement): HTMLElement {
  for (let parent = element.parentElement; parent; parent = parent.parentElement) {
    if (/(auto|scroll)/.test(getComputedStyle(parent).overflowY)) return parent;
  }
  return document.documentElement;
}
