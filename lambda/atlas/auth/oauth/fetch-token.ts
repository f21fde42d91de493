import * as z from 'zod';
import { AtlasAuthError, AtlasMalformedResponseError } from '../../errors.ts';
import { parseRetryAfter } from '../../retry/parse-retry-after.ts';
import type { Transport } from '../../transport/create-transport.ts';

export interface AccessToken {
  readonly value: string;
  /** Lifetime the server granted, in ms. */
  readonly lifetimeMs: number;
}

export interface FetchTokenOptions {
  readonly transport: Transport;
  /** Full URL of the token endpoint. */
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly now: () => number;
}

const tokenSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  token_type: z.string(),
});

const oauthErrorSchema = z.looseObject({
  error: z.string().optional(),
  error_description: z.string().optional(),
});

/**
 * One client-credentials grant. The Basic credentials are `base64(clientId:clientSecret)` as is: Atlas does
 * not URL-encode them first (unlike RFC 6749 §2.3.1). Errors name the OAuth error code, never the secret.
 */
export async function fetchToken(options: FetchTokenOptions, signal: AbortSignal | undefined): Promise<AccessToken> {
  const url = new URL(options.tokenUrl);
  const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`, 'utf8').toString('base64');
  const details = { method: 'POST', path: url.pathname };
  const response = await options.transport.send({
    origin: url.origin,
    method: 'POST',
    path: url.pathname + url.search,
    headers: {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: 'grant_type=client_credentials',
    ...(signal === undefined ? {} : { signal }),
  });

  let body: unknown;
  try {
    body = response.text === '' ? {} : JSON.parse(response.text);
  } catch (error) {
    if (response.status >= 200 && response.status < 300) {
      throw new AtlasMalformedResponseError('token endpoint answered with a body that is not JSON', {
        ...details,
        status: response.status,
        cause: error,
      });
    }
    body = {};
  }

  if (response.status < 200 || response.status >= 300) {
    const parsed = oauthErrorSchema.safeParse(body);
    const code = parsed.success ? parsed.data.error : undefined;
    const description = parsed.success ? parsed.data.error_description : undefined;
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'], options.now());
    throw new AtlasAuthError(
      `token request failed: ${response.status}${code === undefined ? '' : ` ${code}`}${description === undefined ? '' : `: ${description}`}`,
      {
        ...details,
        status: response.status,
        ...(code === undefined ? {} : { errorCode: code }),
        ...(description === undefined ? {} : { detail: description }),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      },
    );
  }

  const parsed = tokenSchema.safeParse(body);
  if (!parsed.success || parsed.data.token_type.toLowerCase() !== 'bearer') {
    throw new AtlasMalformedResponseError('token endpoint answered without a bearer access_token and expires_in', {
      ...details,
      status: response.status,
    });
  }
  return { value: parsed.data.access_token, lifetimeMs: parsed.data.expires_in * 1000 };
}
