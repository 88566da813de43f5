// Addressing a FHIR server: URLs under its base (keeping the base's own path, `https://host/fhir/R4`
// + `Patient`), its media type, and the reachability probe both FHIR integrations use.
import type { HttpSourceClient } from '../common/http-source-client.js';

export const FHIR_JSON = 'application/fhir+json';

export function fhirUrl(baseUrl: string, relative: string): URL {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return new URL(relative, base);
}

/** The server answers its CapabilityStatement: it is up and accepts our credentials. */
export async function pingFhirServer(client: HttpSourceClient, baseUrl: string, signal: AbortSignal): Promise<boolean> {
  const res = await client.send({
    method: 'GET',
    url: fhirUrl(baseUrl, 'metadata'),
    headers: { accept: FHIR_JSON },
    signal,
  });
  return res.status >= 200 && res.status < 300;
}
