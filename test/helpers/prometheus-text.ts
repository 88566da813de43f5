// Reads one sample out of Prometheus text exposition, as a scraper would.

/** The value of one sample in Prometheus text, 0 when absent. */
export function sampleValue(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.split(' ').pop()) : 0;
}
