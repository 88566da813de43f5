// A configuration problem, worded for the person who edits the file: which key, what is expected.
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
