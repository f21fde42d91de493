/**
 * The auth layer only decides the `authorization` header of each attempt and whether a 401 is worth another
 * attempt. One session spans one logical call (all its attempts), so "retry once" is counted per call.
 */
export interface AuthSession {
  /**
   * Waits until signing can happen without delay (e.g. the first Digest challenge is being fetched by another
   * call). Called before pacing, so a pacing token is not held while waiting, and `authorize` follows at once.
   */
  prepare?(signal: AbortSignal | undefined): Promise<void>;
  /** The header for the next attempt, or `undefined` to send without credentials (to get a challenge). */
  authorize(method: string, uri: string, signal: AbortSignal | undefined): Promise<string | undefined>;
  /** A 401 arrived with these `WWW-Authenticate` values. `true`: sign again and resend; `false`: give up. */
  onUnauthorized(challenge: string | readonly string[] | undefined, signal: AbortSignal | undefined): Promise<boolean>;
  /** The attempt ended some other way (a non-401 response or an error). Safe to call more than once. */
  settle(): void;
}

export interface AuthStrategy {
  readonly scheme: 'digest' | 'oauth';
  begin(): AuthSession;
}
