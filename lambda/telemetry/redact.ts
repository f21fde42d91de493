/** Field names whose values are credentials, wherever they appear in a log record. */
const SECRET_FIELD = /^(private_?key|client_?secret|secret|password|authorization|access_?token|token|cookie)$/i;

/** A JSON replacer that blanks credential-named fields: a second line of defence behind never logging them. */
export function redactSecrets(key: string, value: unknown): unknown {
  if (SECRET_FIELD.test(key) && value !== undefined && value !== null && value !== '') return '[redacted]';
  if (typeof value === 'bigint') return value.toString();
  return value;
}
