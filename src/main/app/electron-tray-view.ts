// ELECTRON: the tray icon. Sets the image, tooltip and menu the shell says have changed.
import path from 'node:path';
import { Menu, type MenuItemConstructorOptions, nativeImage, Tray } from 'electron';
import type { TrayParts, TrayView } from './app-shell.js';
import type { MenuAction, MenuItemSpec } from './tray-menu.js';

export class ElectronTrayView implements TrayView {
  private readonly tray: Tray;

  constructor(
    private readonly iconsDir: string,
    private readonly onAction: (id: MenuAction) => void,
    onClick: () => void,
  ) {
    this.tray = new Tray(this.image('tray-grey.png'));
    this.tray.on('click', onClick);
  }

  private image(file: string) {
    return nativeImage.createFromPath(path.join(this.iconsDir, file));
  }

  set(view: Partial<TrayParts>): void {
    if (view.iconFile !== undefined) this.tray.setImage(this.image(view.iconFile));
    if (view.tooltip !== undefined) this.tray.setToolTip(view.tooltip);
    if (view.menu !== undefined) {
      this.tray.setContextMenu(Menu.buildFromTemplate(view.menu.map((item) => this.toElectron(item))));
    }
  }

  private toElectron(item: MenuItemSpec): MenuItemConstructorOptions {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'info':
        return { label: item.label, enabled: false };
      case 'checkbox':
        return { type: 'checkbox', label: item.label, checked: item.checked, click: () => this.onAction(item.id) };
      case 'action':
        return { label: item.label, enabled: item.enabled, click: () => this.onAction(item.id) };
    }
  }
}
