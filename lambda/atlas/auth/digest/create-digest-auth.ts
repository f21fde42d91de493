import { randomBytes } from 'node:crypto';
import { race } from '../../util/abortable.ts';
import type { ClientEvent } from '../../types.ts';
import type { AuthSession, AuthStrategy } from '../types.ts';
import { digestAuthorization } from './digest-response.ts';
import { type Challenge, findDigestChallenge } from './parse-challenge.ts';

export interface DigestAuthOptions {
  readonly username: string;
  readonly password: string;
  readonly onEvent?: (event: ClientEvent) => void;
}

interface ServerNonce {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque?: string;
  /** Requests signed with this nonce so far; `nc` of the next one is this + 1. */
  count: number;
}

/** A stale nonce gets a new one; more than this in one call means the server keeps rejecting us. */
const MAX_STALE_RETRIES = 3;

/**
 * HTTP Digest (RFC 7616, MD5, qop=auth) that reuses the server's nonce: after the first challenge every
 * request is signed up front with the next `nc`, so it costs one round trip instead of two. While the first
 * challenge is being fetched, concurrent calls wait for it instead of each drawing their own 401.
 */
export function createDigestAuth(options: DigestAuthOptions): AuthStrategy {
  let current: ServerNonce | undefined;
  let probe: { promise: Promise<void>; resolve: () => void } | undefined;

  const adopt = (challenge: Challenge): boolean => {
    const { realm, nonce, opaque, algorithm, qop } = challenge.params;
    if (realm === undefined || nonce === undefined) return false;
    if (algorithm !== undefined && algorithm.toUpperCase() !== 'MD5') return false;
    if (qop !== undefined && !qop.split(',').some((value) => value.trim() === 'auth')) return false;
    // Keep the counter when the server repeats the nonce we already use.
    if (current?.nonce !== nonce) current = { realm, nonce, ...(opaque === undefined ? {} : { opaque }), count: 0 };
    return true;
  };

  return {
    scheme: 'digest',
    begin(): AuthSession {
      let isProbe = false;
      let signedLast = false;
      let usedNonce: string | undefined;
      let freshChallengeTaken = false;
      let staleRetries = 0;

      const startProbe = () => {
        let resolve = () => {};
        const promise = new Promise<void>((done) => {
          resolve = done;
        });
        probe = { promise, resolve };
        isProbe = true;
      };
      const endProbe = () => {
        if (!isProbe) return;
        isProbe = false;
        probe?.resolve();
        probe = undefined;
      };

      return {
        async prepare(signal) {
          // Claim the probe here, before the caller takes a pacing token, so concurrent calls wait without one.
          for (;;) {
            if (current !== undefined || isProbe) return;
            if (probe === undefined) {
              startProbe();
              return;
            }
            await race(probe.promise, signal);
          }
        },

        async authorize(method, uri, signal) {
          for (;;) {
            if (current !== undefined) {
              endProbe();
              // Incremented synchronously before any await: concurrent signers never share an nc.
              current.count += 1;
              signedLast = true;
              usedNonce = current.nonce;
              return digestAuthorization({
                username: options.username,
                password: options.password,
                realm: current.realm,
                nonce: current.nonce,
                ...(current.opaque === undefined ? {} : { opaque: current.opaque }),
                method,
                uri,
                nc: current.count,
                cnonce: randomBytes(16).toString('hex'),
              });
            }
            if (isProbe || probe === undefined) {
              if (!isProbe) startProbe();
              signedLast = false;
              return undefined;
            }
            await race(probe.promise, signal);
          }
        },

        async onUnauthorized(header) {
          const challenge = findDigestChallenge(header);
          const stale = challenge?.params['stale']?.toLowerCase() === 'true';
          let retry = false;
          if (challenge !== undefined) {
            if (!signedLast) {
              retry = adopt(challenge);
              if (retry) options.onEvent?.({ type: 'auth', scheme: 'digest', what: 'challenge' });
            } else if (stale && staleRetries < MAX_STALE_RETRIES) {
              staleRetries += 1;
              // A concurrent call may have adopted a newer nonce already: reuse it rather than churn nonces.
              retry = current !== undefined && current.nonce !== usedNonce ? true : adopt(challenge);
              if (retry) options.onEvent?.({ type: 'auth', scheme: 'digest', what: 'stale-nonce' });
            } else if (!freshChallengeTaken) {
              // Not stale, yet refused: maybe the server forgot our nonce. One fresh challenge, one retry.
              freshChallengeTaken = true;
              retry = adopt(challenge);
              if (retry) options.onEvent?.({ type: 'auth', scheme: 'digest', what: 'fresh-challenge' });
            }
          }
          if (!retry) options.onEvent?.({ type: 'auth', scheme: 'digest', what: 'rejected' });
          endProbe();
          return retry;
        },

        settle: endProbe,
      };
    },
  };
}
