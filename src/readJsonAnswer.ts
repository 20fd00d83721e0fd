/** A platform answer larger than this is not one of its JSON answers: it is read as no answer. */
const MAX_ANSWER_BYTES = 1 << 20;

/** The JSON of an HTTP answer from a platform, or null when it is too large or not JSON. */
export async function readJsonAnswer(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  if (text.length > MAX_ANSWER_BYTES) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
