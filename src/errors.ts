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
