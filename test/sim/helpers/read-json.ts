/** A listed object: access-list entries have no id, so it is optional. */
export interface Listed {
  readonly id?: string;
  readonly [field: string]: unknown;
}

export interface PageBody {
  readonly results: Listed[];
  readonly totalCount?: number;
  readonly links: { rel: string; href: string }[];
}

export interface TokenBody {
  readonly access_token: string;
  readonly expires_in: number;
  readonly token_type: string;
}

/** `response.json()` typed as a page (the shape is what the tests assert). */
export async function readPage(response: Response): Promise<PageBody> {
  return (await response.json()) as PageBody;
}

export async function readToken(response: Response): Promise<TokenBody> {
  return (await response.json()) as TokenBody;
}
