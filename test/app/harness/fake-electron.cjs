// A recording stand-in for the `electron` module, loaded in place of the real one by
// electron-hook.cjs in a child process that runs the built dist/main/app.cjs. It records every call
// the main process makes (sent to the test over the child's IPC channel) and lets the test emit
// app, window and powerMonitor events, invoke IPC handlers, click tray menu items and answer
// dialogs. Behaviour follows Electron 45's documentation where the main process depends on it:
// the quit sequence (before-quit → windows close → will-quit → quit → exit), `ready`, a
// single-instance lock shared by processes with the same userData folder, and the Windows rule
// that the process ends right after the windows' `session-end` handlers unless a quit has begun
// (Electron's Browser::is_quitting(), electron#52604: app.quit() whose `before-quit` was not
// prevented; closing the windows and `will-quit` come later, from the message loop).
'use strict';
const { EventEmitter } = require('node:events');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const env = process.env;
const userData = env.FAKE_ELECTRON_USER_DATA || path.join(os.tmpdir(), 'fake-electron-user-data');

function send(message) {
  if (process.connected) process.send(message);
}

/** Function-free, cycle-free copy of an argument, for the record. */
function plain(value, depth = 0) {
  if (typeof value === 'function') return '[function]';
  if (Buffer.isBuffer(value)) return `[buffer ${value.length}]`;
  if (value === null || typeof value !== 'object') return value;
  if (depth > 5) return '[deep]';
  if (value instanceof FakeImage) return { image: value.path };
  if (value instanceof Menu) return { menu: value.items.map((i) => plain(i, depth + 1)) };
  if (Array.isArray(value)) return value.map((v) => plain(v, depth + 1));
  const out = {};
  for (const [k, v] of Object.entries(value)) out[k] = plain(v, depth + 1);
  return out;
}

function record(target, method, args = []) {
  send({ type: 'call', target, method, args: args.map((a) => plain(a)), at: Date.now() });
}

/**
 * Electron's modules such as safeStorage and Session are native (gin-wrapped) objects: a method
 * called detached from its object (`const f = safeStorage.decryptStringAsync; f(blob)`) throws
 * "Illegal invocation". Plain objects here would let such a call pass, so they are made to throw too.
 */
function likeNative(obj) {
  for (const [key, value] of Object.entries(obj)) {
    if (typeof value !== 'function') continue;
    obj[key] = {
      [key](...args) {
        if (this !== obj) throw new TypeError('Illegal invocation');
        return value.apply(this, args);
      },
    }[key];
  }
  return obj;
}

function electronEvent(extra = {}) {
  const event = {
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
    ...extra,
  };
  return event;
}

// ---- app -----------------------------------------------------------------------------------------

class App extends EventEmitter {
  constructor() {
    super();
    this.isPackaged = env.FAKE_ELECTRON_PACKAGED === '1';
    this.name = 'Cloud Connector';
    this.ready = false;
    this.openAtLogin = false;
    this.lockHeld = false;
    // Electron's Browser::is_quitting_: set once before-quit was not prevented, cleared when a
    // window refuses to close or will-quit is prevented.
    this.quitting = false;
    this.readyPromise = new Promise((resolve) => {
      this.resolveReady = resolve;
    });
  }
  whenReady() {
    return this.readyPromise;
  }
  isReady() {
    return this.ready;
  }
  getName() {
    return this.name;
  }
  getVersion() {
    if (env.FAKE_ELECTRON_APP_VERSION) return env.FAKE_ELECTRON_APP_VERSION;
    // Electron reads the app's package.json; the main script sits in dist/main of the package.
    const pkg = path.join(path.dirname(require.main?.filename ?? ''), '..', '..', 'package.json');
    return JSON.parse(fs.readFileSync(pkg, 'utf8')).version;
  }
  getPath(name) {
    record('app', 'getPath', [name]);
    switch (name) {
      case 'userData':
        return userData;
      case 'appData':
        return path.dirname(userData);
      case 'logs':
        return path.join(userData, 'logs');
      case 'temp':
        return os.tmpdir();
      case 'home':
        return os.homedir();
      default:
        throw new Error(`fake electron: getPath(${name}) is not modelled`);
    }
  }
  setAppUserModelId(id) {
    record('app', 'setAppUserModelId', [id]);
  }
  getLoginItemSettings(options) {
    record('app', 'getLoginItemSettings', [options]);
    return { openAtLogin: this.openAtLogin, executableWillLaunchAtLogin: this.openAtLogin };
  }
  setLoginItemSettings(settings) {
    record('app', 'setLoginItemSettings', [settings]);
    this.openAtLogin = Boolean(settings.openAtLogin);
  }
  requestSingleInstanceLock(additionalData) {
    record('app', 'requestSingleInstanceLock', [additionalData]);
    this.lockHeld = singleInstance.acquire(additionalData);
    return this.lockHeld;
  }
  hasSingleInstanceLock() {
    return this.lockHeld;
  }
  releaseSingleInstanceLock() {
    record('app', 'releaseSingleInstanceLock');
    if (this.lockHeld) singleInstance.release();
    this.lockHeld = false;
  }
  focus(options) {
    record('app', 'focus', [options]);
  }
  quit() {
    record('app', 'quit');
    if (this.quitting) return;
    const beforeQuit = electronEvent();
    this.emit('before-quit', beforeQuit);
    if (beforeQuit.defaultPrevented) return;
    this.quitting = true;
    // Windows close (and will-quit follows) from the message loop, not inside quit().
    setImmediate(() => {
      for (const win of BaseWindow.getAllWindows()) {
        win.close();
        if (!win.isDestroyed()) {
          this.quitting = false; // a window refused: quitting is cancelled
          return;
        }
      }
      const willQuit = electronEvent();
      this.emit('will-quit', willQuit);
      if (willQuit.defaultPrevented) {
        this.quitting = false;
        return;
      }
      this.emit('quit', electronEvent(), 0);
      exitSoon(0);
    });
  }
  exit(code = 0) {
    record('app', 'exit', [code]);
    exitSoon(code);
  }
}

function exitSoon(code) {
  send({ type: 'exiting', code });
  setImmediate(() => process.exit(code));
}

const app = new App();

// ---- single-instance lock --------------------------------------------------------------------------
// Electron keys the lock on the userData folder. Here: a folder created atomically (mkdir), holding
// the owner's pid; a second instance leaves its additionalData in a file the owner picks up.

const lockDir = path.join(userData, 'FakeSingletonLock');
const singleInstance = {
  poll: null,
  acquire(additionalData) {
    fs.mkdirSync(userData, { recursive: true });
    try {
      fs.mkdirSync(lockDir);
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const owner = Number(readOr(path.join(lockDir, 'pid'), '0'));
      if (owner === 0 || isAlive(owner)) {
        const file = path.join(lockDir, `second-${process.pid}-${Date.now()}.json`);
        fs.writeFileSync(`${file}.tmp`, JSON.stringify({ argv: process.argv, cwd: process.cwd(), additionalData }));
        fs.renameSync(`${file}.tmp`, file);
        return false;
      }
      // The owner died without releasing: the lock is free.
    }
    fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
    this.poll = setInterval(() => this.deliver(), 50);
    this.poll.unref();
    process.once('exit', () => this.release());
    return true;
  },
  deliver() {
    if (!app.ready) return;
    let names = [];
    try {
      names = fs.readdirSync(lockDir).filter((n) => n.startsWith('second-') && n.endsWith('.json'));
    } catch {
      return;
    }
    for (const name of names) {
      const file = path.join(lockDir, name);
      const message = JSON.parse(readOr(file, '{}'));
      fs.rmSync(file, { force: true });
      app.emit('second-instance', electronEvent(), message.argv, message.cwd, message.additionalData);
    }
  },
  release() {
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
    try {
      if (Number(readOr(path.join(lockDir, 'pid'), '0')) === process.pid) fs.rmSync(lockDir, { recursive: true });
    } catch {
      // already gone
    }
  },
};

function readOr(file, fallback) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// ---- windows ---------------------------------------------------------------------------------------

let nextWindowId = 1;
const allWindows = new Set();

class WebContents extends EventEmitter {
  constructor(win) {
    super();
    this.id = win.id;
    this.win = win;
    this.url = '';
    this.windowOpenHandler = null;
  }
  getURL() {
    return this.url;
  }
  send(channel, ...args) {
    record(`window#${this.id}.webContents`, 'send', [channel, ...args]);
  }
  setWindowOpenHandler(handler) {
    record(`window#${this.id}.webContents`, 'setWindowOpenHandler', [handler]);
    this.windowOpenHandler = handler;
  }
  isDestroyed() {
    return this.win.destroyed;
  }
  openDevTools() {
    record(`window#${this.id}.webContents`, 'openDevTools');
  }
}

/** A native window (Electron 30+): no web page behind it. */
class BaseWindow extends EventEmitter {
  constructor(options = {}, kind = 'BaseWindow') {
    super();
    this.id = nextWindowId++;
    this.options = options;
    this.visible = options.show !== false;
    this.destroyed = false;
    allWindows.add(this);
    record(`window#${this.id}`, 'constructor', [options, kind]);
  }
  static getAllWindows() {
    return [...allWindows];
  }
  static fromId(id) {
    return [...allWindows].find((w) => w.id === id) ?? null;
  }
  show() {
    record(`window#${this.id}`, 'show');
    this.visible = true;
  }
  showInactive() {
    record(`window#${this.id}`, 'showInactive');
    this.visible = true;
  }
  hide() {
    record(`window#${this.id}`, 'hide');
    this.visible = false;
  }
  focus() {
    record(`window#${this.id}`, 'focus');
  }
  isVisible() {
    return this.visible;
  }
  isMinimized() {
    return false;
  }
  restore() {
    record(`window#${this.id}`, 'restore');
  }
  removeMenu() {
    record(`window#${this.id}`, 'removeMenu');
  }
  setMenu(menu) {
    record(`window#${this.id}`, 'setMenu', [menu]);
  }
  isDestroyed() {
    return this.destroyed;
  }
  close() {
    record(`window#${this.id}`, 'close');
    if (this.destroyed) return;
    const event = electronEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) this.destroy();
  }
  destroy() {
    if (this.destroyed) return;
    record(`window#${this.id}`, 'destroy');
    this.destroyed = true;
    allWindows.delete(this);
    this.emit('closed');
  }
}

class BrowserWindow extends BaseWindow {
  constructor(options = {}) {
    super(options, 'BrowserWindow');
    this.webContents = new WebContents(this);
    app.emit('web-contents-created', electronEvent(), this.webContents);
  }
  static getAllWindows() {
    return [...allWindows].filter((w) => w instanceof BrowserWindow);
  }
  loadFile(file, options = {}) {
    record(`window#${this.id}`, 'loadFile', [file, options]);
    this.webContents.url = pathToFileURL(file).href + (options.hash ? `#${options.hash}` : '');
    return Promise.resolve();
  }
  loadURL(url) {
    record(`window#${this.id}`, 'loadURL', [url]);
    this.webContents.url = url;
    return Promise.resolve();
  }
}

// ---- tray, menus, images, notifications -------------------------------------------------------------

class FakeImage {
  constructor(file) {
    this.path = file;
  }
  isEmpty() {
    return !fs.existsSync(this.path);
  }
}

const nativeImage = {
  createFromPath(file) {
    record('nativeImage', 'createFromPath', [file]);
    return new FakeImage(file);
  },
  createEmpty() {
    return new FakeImage('');
  },
};

class Menu {
  constructor(items) {
    this.items = items;
  }
  static buildFromTemplate(template) {
    record('Menu', 'buildFromTemplate', [template]);
    return new Menu(template);
  }
}

let lastTray = null;
class Tray extends EventEmitter {
  constructor(image) {
    super();
    record('tray', 'constructor', [image]);
    this.image = image;
    this.menu = null;
    this.destroyed = false;
    lastTray = this;
  }
  setImage(image) {
    record('tray', 'setImage', [image]);
    this.image = image;
  }
  setToolTip(text) {
    record('tray', 'setToolTip', [text]);
  }
  setContextMenu(menu) {
    record('tray', 'setContextMenu', [menu]);
    this.menu = menu;
  }
  displayBalloon(options) {
    record('tray', 'displayBalloon', [options]);
  }
  destroy() {
    record('tray', 'destroy');
    this.destroyed = true;
  }
  isDestroyed() {
    return this.destroyed;
  }
}

class Notification extends EventEmitter {
  static isSupported() {
    return true;
  }
  constructor(options = {}) {
    super();
    record('Notification', 'constructor', [options]);
    this.options = options;
  }
  show() {
    record('Notification', 'show', [this.options]);
  }
  close() {
    record('Notification', 'close');
  }
}

// ---- safeStorage: a reversible stand-in for DPAPI --------------------------------------------------
// Blobs written by the synchronous API and by the asynchronous one are told apart, so that the
// migration (decrypt an old blob, re-encrypt with the async API when told to) can be observed.

const SYNC = 'fake-dpapi-sync:';
const ASYNC = 'fake-dpapi-async:';
const encryptionAvailable = () => env.FAKE_ELECTRON_NO_ENCRYPTION !== '1' && app.ready;
const seal = (prefix, text) => Buffer.from(prefix + Buffer.from(text, 'utf8').toString('base64'));
const unseal = (blob) => {
  const s = blob.toString('utf8');
  const prefix = s.startsWith(SYNC) ? SYNC : s.startsWith(ASYNC) ? ASYNC : null;
  if (!prefix) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
  return { prefix, text: Buffer.from(s.slice(prefix.length), 'base64').toString('utf8') };
};
const safeStorage = {
  isEncryptionAvailable() {
    record('safeStorage', 'isEncryptionAvailable');
    return encryptionAvailable();
  },
  getSelectedStorageBackend() {
    return 'gnome_libsecret';
  },
  encryptString(text) {
    record('safeStorage', 'encryptString', ['[secret]']);
    if (!encryptionAvailable()) throw new Error('Encryption is not available.');
    return seal(SYNC, text);
  },
  decryptString(blob) {
    record('safeStorage', 'decryptString', ['[blob]']);
    return unseal(blob).text;
  },
  async isAsyncEncryptionAvailable() {
    record('safeStorage', 'isAsyncEncryptionAvailable');
    return encryptionAvailable();
  },
  async encryptStringAsync(text) {
    record('safeStorage', 'encryptStringAsync', ['[secret]']);
    if (!encryptionAvailable()) throw new Error('Encryption is not available.');
    return seal(ASYNC, text);
  },
  async decryptStringAsync(blob) {
    record('safeStorage', 'decryptStringAsync', ['[blob]']);
    const { prefix, text } = unseal(blob);
    return { result: text, shouldReEncrypt: prefix === SYNC };
  },
};

// An Electron before 45 (what an earlier version of the app ran on) has only the synchronous API.
if (env.FAKE_ELECTRON_SYNC_SAFE_STORAGE_ONLY === '1') {
  delete safeStorage.isAsyncEncryptionAvailable;
  delete safeStorage.encryptStringAsync;
  delete safeStorage.decryptStringAsync;
}
likeNative(safeStorage);

// ---- IPC, dialogs, shell, clipboard, session, powerMonitor -----------------------------------------

const ipcHandlers = new Map();
const ipcMain = {
  handle(channel, handler) {
    record('ipcMain', 'handle', [channel]);
    if (ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    ipcHandlers.set(channel, handler);
  },
  removeHandler(channel) {
    ipcHandlers.delete(channel);
  },
  on() {},
};

let dialogResponse = 0;
const dialog = {
  async showMessageBox(...args) {
    record('dialog', 'showMessageBox', args);
    return { response: dialogResponse, checkboxChecked: false };
  },
  showErrorBox(title, content) {
    record('dialog', 'showErrorBox', [title, content]);
  },
};

const shell = {
  async openPath(p) {
    record('shell', 'openPath', [p]);
    return '';
  },
  async openExternal(url) {
    record('shell', 'openExternal', [url]);
  },
};

const clipboard = {
  writeText(text) {
    record('clipboard', 'writeText', [`[${text.length} characters]`]);
  },
};

let proxyAnswer = env.FAKE_ELECTRON_PROXY || 'DIRECT';
const defaultSession = {
  setPermissionRequestHandler(handler) {
    record('session', 'setPermissionRequestHandler', [handler]);
  },
  setPermissionCheckHandler(handler) {
    record('session', 'setPermissionCheckHandler', [handler]);
  },
  async resolveProxy(url) {
    record('session', 'resolveProxy', [url]);
    return proxyAnswer;
  },
  async closeAllConnections() {},
};
const session = { defaultSession };
for (const native of [dialog, shell, clipboard, defaultSession, nativeImage]) likeNative(native);

const powerMonitor = new EventEmitter();

// ---- the test's side ---------------------------------------------------------------------------------

const commands = {
  'app.emit': ({ event, args = [] }) => {
    const e = electronEvent();
    app.emit(event, e, ...args);
    return { defaultPrevented: e.defaultPrevented };
  },
  'powerMonitor.emit': ({ event }) => {
    powerMonitor.emit(event, electronEvent());
    return {};
  },
  'window.emit': ({ id, event, reasons }) => {
    const win = BaseWindow.fromId(id);
    if (!win) throw new Error(`no window #${id}`);
    const e = electronEvent(reasons ? { reasons } : {});
    if (event === 'session-end') {
      // WM_ENDSESSION: every window hears it, then Electron 45 terminates the process at once
      // (TerminateCurrentProcessImmediately) unless Browser::is_quitting() is true by then.
      for (const each of BaseWindow.getAllWindows()) each.emit(event, e);
      const quitting = app.quitting;
      if (!quitting) {
        send({ type: 'exiting', code: 0 });
        process.exit(0);
      }
      return { quitting };
    }
    if (event === 'close') {
      win.close();
      return { destroyed: win.isDestroyed() };
    }
    win.emit(event, e);
    return { defaultPrevented: e.defaultPrevented };
  },
  'ipc.invoke': async ({ channel, input, url }) => {
    const handler = ipcHandlers.get(channel);
    if (!handler) return { noHandler: true };
    const frame = { url, origin: new URL(url).origin };
    const event = { senderFrame: frame, sender: { id: -1, getURL: () => url }, processId: 1, frameId: 1 };
    return { reply: await handler(event, input) };
  },
  'tray.click': () => {
    lastTray?.emit('click', electronEvent());
    return {};
  },
  'tray.menuClick': ({ label }) => {
    const item = (lastTray?.menu?.items ?? []).find((i) => i.label === label);
    if (!item) throw new Error(`no tray menu item "${label}"`);
    item.click?.(item, null, electronEvent());
    return {};
  },
  'tray.state': () => ({
    image: lastTray?.image?.path ?? null,
    menu: (lastTray?.menu?.items ?? []).map((i) => i.label ?? i.type),
  }),
  'windows.list': () =>
    BaseWindow.getAllWindows().map((w) => ({
      id: w.id,
      kind: w instanceof BrowserWindow ? 'BrowserWindow' : 'BaseWindow',
      visible: w.visible,
      url: w.webContents?.url ?? '',
      options: plain(w.options),
    })),
  'dialog.respond': ({ response }) => {
    dialogResponse = response;
    return {};
  },
  'proxy.set': ({ answer }) => {
    proxyAnswer = answer;
    return {};
  },
};

process.on('message', async (message) => {
  if (!message || typeof message !== 'object' || typeof message.id !== 'number') return;
  const command = commands[message.cmd];
  try {
    if (!command) throw new Error(`unknown command ${message.cmd}`);
    send({ type: 'reply', id: message.id, value: await command(message.args ?? {}) });
  } catch (error) {
    send({ type: 'reply', id: message.id, error: String(error?.stack ?? error) });
  }
});

// Electron's message loop keeps the process alive until quit or exit; so does this.
setInterval(() => undefined, 1 << 30);
setImmediate(() => {
  app.ready = true;
  record('app', 'ready');
  app.emit('ready', electronEvent(), {});
  app.resolveReady();
});

module.exports = {
  app,
  BaseWindow,
  BrowserWindow,
  Tray,
  Menu,
  nativeImage,
  Notification,
  safeStorage,
  ipcMain,
  dialog,
  shell,
  clipboard,
  session,
  powerMonitor,
};
