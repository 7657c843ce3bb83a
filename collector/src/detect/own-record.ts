/**
 * Record access for keys that come from traces (tool names, agent names). A plain `obj[key] = v`
 * with key `__proto__` would replace the prototype instead of storing a value.
 */
export function getOwn<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}
