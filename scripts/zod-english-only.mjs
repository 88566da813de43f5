// esbuild plugin: zod's locales module with English only. zod loads English unless told otherwise
// and nothing here asks for another locale, so the other ~40 stay out of every bundle (the CLI's
// and the renderer's, which checks the wizard's forms with the config schema).
import path from 'node:path';

/** `zod/v4/locales/index.js` with English only; the other locales stay out of the bundle. */
export const englishOnlyZodLocales = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)
        ? {
            // Relative, so that the source map names no path of the build machine.
            path: path.relative('.', path.join(path.dirname(args.importer), '../locales/index.js')),
            namespace: 'zod-locales',
          }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from './en.js';`,
      resolveDir: path.resolve(path.dirname(args.path)),
      loader: 'js',
    }));
  },
};
