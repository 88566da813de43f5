// Process logs for support: one structured line per state change and per error, written through
// electron-log's file transport (used headless via `electron-log/node`), rotated by size with N
// old files kept, and passed through the redactor before anything reaches the disk or stderr.
import path from 'node:path';
import log from 'electron-log/node';
import { formatLogLine, type LogFields, type Logger } from '../core/logger.js';
import { createRedactor } from './redact.js';
import { rotateLogFile } from './rotate.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ProcessLoggerOptions {
  dir: string;
  level?: LogLevel;
  /** Values masked wherever they appear (the token, passwords read from secret files, …). */
  secrets?: readonly string[];
  maxSizeMb?: number;
  /** Old files kept beside the current one. */
  keep?: number;
  fileName?: string;
  /** Also write each line to stderr (headless `run`). */
  console?: boolean;
}

export interface ProcessLogger extends Logger {
  readonly dir: string;
  readonly file: string;
  addSecret(secret: string): void;
}

export const DEFAULT_LOG_LEVEL: LogLevel = 'info';
export const DEFAULT_LOG_MAX_SIZE_MB = 5;
export const DEFAULT_LOG_KEEP = 5;

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function createProcessLogger(options: ProcessLoggerOptions): ProcessLogger {
  const dir = path.resolve(options.dir);
  const file = path.join(dir, options.fileName ?? 'connector.log');
  const minLevel = options.level ?? DEFAULT_LOG_LEVEL;
  const keep = options.keep ?? DEFAULT_LOG_KEEP;
  const redactor = createRedactor(options.secrets ?? []);

  // One electron-log instance per file; the id is reused so that re-creating a logger for the
  // same file (tests, a restart of the runtime) does not pile up instances.
  const el = log.create({ logId: `cloud-connector:${file}` });
  el.transports.console.level = false;
  el.transports.file.level = 'silly';
  el.transports.file.resolvePathFn = () => file;
  el.transports.file.maxSize = Math.round((options.maxSizeMb ?? DEFAULT_LOG_MAX_SIZE_MB) * 1024 * 1024);
  el.transports.file.format = ({ data }) => [String(data[0])];
  el.transports.file.archiveLogFn = (old) => {
    try {
      rotateLogFile(old.toString(), keep);
    } catch {
      // Rotation failing (file locked on Windows) must not stop logging; electron-log keeps writing.
    }
  };

  const write = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (ORDER[level] < ORDER[minLevel]) return;
    const line = redactor.text(formatLogLine(level, redactor.text(message), redactor.fields(fields)));
    el[level](line);
    if (options.console) process.stderr.write(`${line}\n`);
  };

  return {
    dir,
    file,
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    addSecret: (secret) => redactor.addSecret(secret),
  };
}
