/** What the end-to-end benches ask a running `serve` over its API. */

/** Posts `count` messages built by `item`, in batches of 1000, one after another. */
export async function postInBatches(origin: string, auth: string, count: number, item: (i: number) => unknown): Promise<void> {
  for (let from = 0; from < count; from += 1000) {
    const body = JSON.stringify(Array.from({ length: Math.min(1000, count - from) }, (_, i) => item(from + i)));
    const response = await fetch(`${origin}/api/v1/message`, { method: 'POST', headers: { authorization: auth }, body });
    if (response.status !== 200) throw new Error(`POST failed: ${response.status}`);
    await response.arrayBuffer();
  }
}

/** How many of the account's messages have one of these statuses (`X-Total-Count` of a one-row page). */
export async function countWithStatus(origin: string, auth: string, ...statuses: string[]): Promise<number> {
  const query = statuses.map((status) => `status=${status}`).join('&');
  const response = await fetch(`${origin}/api/v1/message?${query}&per_page=1`, { headers: { authorization: auth } });
  await response.arrayBuffer();
  return Number(response.headers.get('x-total-count'));
}

/** Resolves once no message of the account is `sending` or `sent`, looking every 20 ms. */
export async function waitUntilAllFinal(origin: string, auth: string): Promise<void> {
  while ((await countWithStatus(origin, auth, 'sending', 'sent')) !== 0) await new Promise((resolve) => setTimeout(resolve, 20));
}
