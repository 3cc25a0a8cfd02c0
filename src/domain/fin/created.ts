/** What a create operation returns: the object, and whether it existed already (idempotent replay). */
export interface Created<T> {
  value: T;
  replayed: boolean;
}
