// ELECTRON: the wizard's Browse… buttons — a folder for signed documents, or a certificate file.
// Electron's own dialog, attached to the focused window; the controller receives it as `pickPath`
// and never imports Electron itself.
import { BrowserWindow, dialog } from 'electron';

export async function pickPathWithDialog(kind: 'folder' | 'certificate'): Promise<string | null> {
  const options: Electron.OpenDialogOptions =
    kind === 'folder'
      ? {
          title: 'Folder for signed consent forms',
          properties: ['openDirectory', 'createDirectory', 'dontAddToRecent'],
        }
      : {
          title: 'Certificate file',
          properties: ['openFile', 'dontAddToRecent'],
          filters: [{ name: 'Certificates (PEM)', extensions: ['pem', 'crt', 'cer'] }],
        };
  const parent = BrowserWindow.getFocusedWindow();
  const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}
