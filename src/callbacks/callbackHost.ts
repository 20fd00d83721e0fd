/**
 * The host of a callback URL, as fairness and backoff count it: its origin (scheme, host name, port), without the
 * credentials, path or query. Two URLs on 127.0.0.1 are one host when they share a port, two when they do not:
 * what a slow or dead receiver holds up is one listening server, and that is what a port names.
 */
export function callbackHostOf(url: string): string {
  try {
    const { protocol, hostname, port } = new URL(url);
    return `${protocol}//${hostname}:${port || (protocol === 'https:' ? '443' : '80')}`;
  } catch {
    // Never sent anyway (the sender answers "invalid callback URL"); kept apart from every real host.
    return `invalid:${url}`;
  }
}
