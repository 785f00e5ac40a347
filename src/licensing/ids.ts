import { randomBytes } from 'node:crypto';

const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';

/** A short random id such as `req_k3x9qa2mzt`: a prefix and 10 base32 characters (50 bits). */
export function newId(prefix: string): string {
  const bytes = randomBytes(10);
  let id = '';
  for (const byte of bytes) id += alphabet[byte & 31];
  return `${prefix}_${id}`;
}
