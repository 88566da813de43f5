// URLs under a FHIR base, keeping the base's own path (`https://host/fhir/R4` + `Patient`).

export function fhirUrl(baseUrl: string, relative: string): URL {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return new URL(relative, base);
}
