// The renderer's only way out: the API the preload (or the preview's bridge client) put on window.
import type { ConnectorApi } from '../shared/ipc/channels.js';

export function api(): ConnectorApi {
  const found = (window as unknown as { connectorApi?: ConnectorApi }).connectorApi;
  if (!found) throw new Error('Cloud Connector could not start its window. Restart the app.');
  return found;
}
