/**
 * Typed errors thrown by domain code. The one error boundary (src/server/boundary.ts) turns a UserError
 * into an `isError` tool result with its message and a valid example call; anything else is reported as
 * an internal error without killing the server.
 */
export class UserError extends Error {
  constructor(message: string, readonly example?: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** The answer for a served checkout whose root vanished (moved or deleted while the server was running). */
export function checkoutGone(roots: string[]): UserError {
  const what = roots.length === 1 ? `The checkout ${roots[0]} no longer exists` : `The checkouts ${roots.join(', ')} no longer exist`;
  return new UserError(`${what} (moved or deleted while the server was running). Restart the server with its new path (--dynamo/--sglang/--repo NAME=PATH).`);
}
