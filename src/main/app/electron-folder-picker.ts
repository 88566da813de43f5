// ELECTRON: the wizard's Browse… for a document folder. Electron's own folder dialog, attached to
// the focused window; the controller receives it as `pickFolder` and never imports Electron itself.
import { BrowserWindow, dialog } from 'electron';

export async function pickFolderWithDialog(): Promise<string | null> {
  const options: Electron.OpenDialogOptions = {
    title: 'Folder for signed consent forms',
    properties: ['openDirectory', 'createDirectory', 'dontAddToRecent'],
  };
  const parent = BrowserWindow.getFocusedWindow();
  const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}
