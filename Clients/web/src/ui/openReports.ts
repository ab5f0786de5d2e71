import { ErrorNames, RpcError } from '../api/types';
import { api } from './connection';
import { setState } from './store';

// Set once the log has spoken: a listing asked at start that answers later is older than the event.
let told = false;

/** The server's admins' open reports, from the user's log (`open_reports`): a new count, or 0 for a user who is no
 * longer an admin. */
export function openReportsCounted(open: number): void {
  told = true;
  setState({ openReports: open });
}

/** At start: how many reports wait, for an admin (anyone else is told ADMIN_REQUIRED and sees nothing). */
export async function loadOpenReports(): Promise<void> {
  told = false;
  try {
    const { open } = await api().admin.getReports({ limit: 1 });
    if (!told) setState({ openReports: open });
  } catch (e) {
    if (!(e instanceof RpcError && e.name === ErrorNames.AdminRequired)) throw e;
    if (!told) setState({ openReports: 0 });
  }
}

/** "N reports" in words. */
export function reportsText(open: number): string {
  return open === 1 ? '1 report' : `${open} reports`;
}

/** Settings, scrolled to Administration → Reports. */
export function openReports(): void {
  setState({ panel: 'settings' });
  const scroll = (tries: number) => {
    const section = document.getElementById('settings-reports');
    if (section) section.scrollIntoView({ block: 'start' });
    // The reports list appears once its first page is read.
    else if (tries > 0) setTimeout(() => scroll(tries - 1), 100);
  };
  setTimeout(() => scroll(30), 0);
}
