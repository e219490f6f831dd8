// Route class of a request path, for the requests counter (http/metrics.ts) and the Express
// path that feeds it. Its own module so the app can classify without loading prom-client.
const FORMAT_RE = /\.(rss|atom|json)$/;

/** Route class of a path for the requests counter: a few fixed values, never the path itself. */
export function routeClass(path: string): string {
  if (path.startsWith('/feeds/')) return FORMAT_RE.test(path) ? 'feed' : 'page';
  if (path === '/') return 'page';
  if (path.startsWith('/api/') || path === '/api') return 'api';
  if (path.startsWith('/admin')) return 'console';
  if (path === '/metrics') return 'metrics';
  if (path === '/healthz') return 'health';
  if (path.startsWith('/demo/')) return 'demo';
  return 'other';
}
