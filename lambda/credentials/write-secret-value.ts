import type { AtlasSecretValue } from './secret-shape.ts';

/** The credential a rotation puts in place of the old one. */
export type NewCredential =
  | { readonly kind: 'apiKey'; readonly publicKey: string; readonly privateKey: string; readonly apiUserId: string }
  | { readonly kind: 'serviceAccount'; readonly clientSecret: string };

/**
 * The secret's JSON with `credential` in place of the old one, in the secret's own shape: ours stays
 * `{publicKey, privateKey}` (its `apiUserId` updated when it has one), MongoDB's profile stays
 * `{PublicKey, PrivateKey}`; every other field is kept as it was, in its place.
 */
export function secretWithCredential(secret: AtlasSecretValue, credential: NewCredential): string {
  if (secret.kind !== credential.kind) {
    throw new TypeError(`secretWithCredential: a ${credential.kind} credential cannot replace a ${secret.kind} secret`);
  }
  const replacements: Record<string, string> =
    credential.kind === 'serviceAccount'
      ? { clientSecret: credential.clientSecret }
      : secret.shape === 'profile'
        ? { PublicKey: credential.publicKey, PrivateKey: credential.privateKey }
        : {
            publicKey: credential.publicKey,
            privateKey: credential.privateKey,
            ...(Object.hasOwn(secret.fields, 'apiUserId') ? { apiUserId: credential.apiUserId } : {}),
          };
  const next: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(secret.fields)) next[name] = Object.hasOwn(replacements, name) ? replacements[name] : value;
  return JSON.stringify(next);
}
