// A Logger that keeps every line, so tests can scan what would have been written.
import { formatLogLine, type LogFields, type Logger } from '../../src/main/core/logger.js';

export function captureLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const write = (level: string) => (message: string, fields?: LogFields) => {
    lines.push(formatLogLine(level, message, fields));
  };
  return { lines, debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
