// Run as a child process by folder-store.test.ts: stores one document and kills itself (SIGKILL,
// no clean-up possible) after the files are written but before they are renamed into place.
import { readFileSync } from 'node:fs';
import { storeConsent } from '../../../src/main/integrations/consent-pipeline.js';
import { FolderStore } from '../../../src/main/integrations/folder/folder-store.js';

const [root, paramsFile] = process.argv.slice(2) as [string, string];
const store = new FolderStore({ type: 'folder', path: root }, '/', undefined, {
  beforeCommit: async () => {
    process.kill(process.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 10_000));
  },
});
await storeConsent(store, JSON.parse(readFileSync(paramsFile, 'utf8')), { signal: new AbortController().signal });
process.stderr.write('the document was stored although the process should have died\n');
