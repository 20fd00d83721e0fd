import type { QueryValues } from '../domain/checkInOrder.js';

/**
 * The query of a request target as repeated values, in order (spec §2.5): every key kept, `constructor` and
 * `__proto__` as keys like any other (no prototype). Read from the raw target, up to a second `?`.
 */
export function repeatedQuery(target: string | undefined): QueryValues {
  const search = target?.split('?')[1] ?? '';
  const values: Record<string, string[]> = Object.create(null);
  for (const [key, value] of new URLSearchParams(search)) (values[key] ??= []).push(value);
  return values;
}
