// What the app says in Windows notifications besides state changes: the one-time hint about
// keeping the tray icon visible (Windows 11 puts new tray icons in the ^ overflow, where a red icon
// goes unseen), and the toast markup that carries its picture. Pure: tested without Electron.
import { pathToFileURL } from 'node:url';

export const TRAY_HINT = {
  title: 'Keep Cloud Connector in view',
  body: 'Windows hides new icons: click ^ at the right of the taskbar and drag the Cloud Connector icon onto the taskbar, so you see at a glance when it needs you.',
};

export interface Note {
  title: string;
  body: string;
  /** An image shown large in the notification (Windows: the toast's hero image). */
  picture?: string;
}

const escapeXml = (text: string) =>
  text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);

/** A Windows toast (ToastGeneric) with the title, the sentence and, if any, the picture. */
export function toastXml(note: Note): string {
  const picture = note.picture ? `<image placement="hero" src="${escapeXml(pathToFileURL(note.picture).href)}"/>` : '';
  return (
    '<toast activationType="foreground"><visual><binding template="ToastGeneric">' +
    `<text>${escapeXml(note.title)}</text><text>${escapeXml(note.body)}</text>${picture}` +
    '</binding></visual></toast>'
  );
}
