/** How near its end a history counts as at the end, and keeps the newest message in view as more come. */
export const BOTTOM_SLACK_PX = 48;

/**
 * Where a history's scroller was when the history last heard of it: from its scroll event, or as the history placed
 * it. A reader's scroll comes as an event with the next frame, and a render before then (a receipt, a new message,
 * anything that changes the app's state) would take the place heard of last — "at the end" — for the truth and put the
 * reader back at the bottom. The render asks `movedToEnd` first and takes the reader's scroll as heard.
 */
export class HeardScroll {
  private top = 0;
  private height = 0;

  /** Takes the scroller's place as heard: after its scroll event, and after the history has placed it. */
  heard(el: HTMLElement): void {
    this.top = el.scrollTop;
    this.height = el.scrollHeight;
  }

  /**
   * Undefined while the scroller is where it was heard of last; once it has moved, whether it is at the end: within
   * `slack` of the end it had then (what was added below since is not the reader's doing), or at its end now (where the
   * browser leaves it when the content shrinks under it).
   */
  movedToEnd(el: HTMLElement, slack: number): boolean | undefined {
    if (el.scrollTop === this.top) return undefined;
    return this.height - el.scrollTop - el.clientHeight < slack || el.scrollHeight - el.scrollTop - el.clientHeight < 1;
  }
}
