// The politeness key of a source: its URL's host[:port]. One definition for the in-process host
// limiter and the `host` column that cross-instance leases count by.

export function sourceHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
