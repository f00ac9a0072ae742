/**
 * Graph's operation ids, compared regardless of case and dashes (issue 21, point 6): the id an action's answer gives
 * (its body's `id`, or the Location header's last segment) and the one in the completion notification's resourceUrl
 * name the same operation, but Graph's examples spell GUIDs both ways, so a byte-for-byte match can miss it and a
 * prompt would wait out its timeout.
 */
export function operationKey(id: string): string {
  return id.toLowerCase().replace(/-/g, '');
}

/** A Map keyed by operation id that finds an id however it is spelt, once `normalise()` holds. */
export class OperationMap<V> extends Map<string, V> {
  constructor(private readonly normalise: () => boolean) {
    super();
  }

  private key(id: string): string {
    return this.normalise() ? operationKey(id) : id;
  }

  override get(id: string): V | undefined {
    return super.get(this.key(id));
  }

  override has(id: string): boolean {
    return super.has(this.key(id));
  }

  override set(id: string, value: V): this {
    return super.set(this.key(id), value);
  }

  override delete(id: string): boolean {
    return super.delete(this.key(id));
  }
}
