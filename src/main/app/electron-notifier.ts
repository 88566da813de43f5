// ELECTRON: Windows notifications. On Windows a toast built from markup, so that the first-run
// hint carries its picture; elsewhere title, sentence and the picture as the icon. A notification
// is kept referenced until it is clicked or closed, or its click would be lost to the collector.
import { Notification } from 'electron';
import type { Notifier } from './app-shell.js';
import { type Note, toastXml } from './notes.js';

export class ElectronNotifier implements Notifier {
  private readonly live = new Set<Notification>();

  constructor(private readonly iconFile: string) {}

  show(note: Note, onClick: () => void): void {
    if (!Notification.isSupported()) return;
    const notification =
      process.platform === 'win32'
        ? new Notification({ toastXml: toastXml(note) })
        : new Notification({ title: note.title, body: note.body, icon: note.picture ?? this.iconFile });
    this.live.add(notification);
    while (this.live.size > 8) this.live.delete(this.live.values().next().value as Notification);
    notification.on('click', () => {
      this.live.delete(notification);
      onClick();
    });
    notification.on('close', () => this.live.delete(notification));
    notification.show();
  }
}
