// Which tray image shows for a status: one per tone, each with its own shape (tick, ring, cross,
// pause bars) so the state is readable without colour. Pure: tested without Electron.
import type { AppStatus } from '../../shared/ipc/status.js';
import { overallTone, SHAPE_FOR_TONE, type Shape, type Tone } from '../../shared/ipc/status-words.js';

export interface TrayIcon {
  tone: Tone;
  shape: Shape;
  /** File name in assets/tray/; Electron picks the @2x variant beside it on high-DPI screens. */
  file: string;
}

export const TRAY_ICON_FILES: Record<Tone, string> = {
  green: 'tray-green.png',
  amber: 'tray-amber.png',
  red: 'tray-red.png',
  grey: 'tray-grey.png',
};

export function trayIcon(status: AppStatus, now: Date = new Date()): TrayIcon {
  const tone = overallTone(status, now);
  return { tone, shape: SHAPE_FOR_TONE[tone], file: TRAY_ICON_FILES[tone] };
}
