/**
 * Drops the keys whose value is undefined: Graph leaves out what it has no value for, and a spread must not let an
 * unset field override a default.
 */
export function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
