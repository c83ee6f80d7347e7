import { type FrozenDBError, isFrozenDBError } from "frozendb";

type ErrorClass = new (message: string, options?: ErrorOptions) => FrozenDBError;

/**
 * `error` with `where` (`line 7`) in front of its message, same class and
 * code, same cause, so the one error line says where the input went wrong.
 */
export function errorAt(where: string, error: unknown): unknown {
  if (!isFrozenDBError(error)) return error;
  const options = error.cause === undefined ? undefined : { cause: error.cause };
  return new (error.constructor as ErrorClass)(`${where}: ${error.message}`, options);
}
