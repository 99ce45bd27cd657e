import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/** Every purpose derives its own subkey from the master key with HKDF (SPEC §1). */
export type KeyPurpose = 'secret-hash' | 'token-cache' | 'signing-key' | 'pat-hash' | 'session-hash' | 'setup-token' | 'key-check';

/**
 * The master key and the subkeys derived from it. Every stored hash and ciphertext records
 * `id`, so the master key can later become a keyring of several.
 */
export class Keyring {
  readonly id: string;
  private readonly subkeys = new Map<KeyPurpose, Buffer>();

  constructor(private readonly masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('the master key must be 32 bytes');
    this.id = createHash('sha256').update('latchkey-master-key-id').update(masterKey).digest('hex').slice(0, 12);
  }

  subkey(purpose: KeyPurpose): Buffer {
    let key = this.subkeys.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.masterKey, Buffer.alloc(0), `latchkey/${purpose}/v1`, 32));
      this.subkeys.set(purpose, key);
    }
    return key;
  }

  /** HMAC-SHA-256 under a purpose's subkey, base64url (as stored). */
  hmac(purpose: KeyPurpose, value: string): string {
    return this.hmacBytes(purpose, value).toString('base64url');
  }

  /** The raw HMAC, for constant-time comparison against stored hashes kept as bytes. */
  hmacBytes(purpose: KeyPurpose, value: string): Buffer {
    return createHmac('sha256', this.subkey(purpose)).update(value).digest();
  }

  /** The value the database keeps so a process with another master key refuses to start. */
  checkValue(): string {
    return this.hmac('key-check', 'latchkey key check');
  }

  /** AES-256-GCM; the output is `iv.tag.ciphertext` (base64url); `context` is bound as AAD. */
  encrypt(purpose: KeyPurpose, plaintext: Buffer | string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.subkey(purpose), iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return [iv, cipher.getAuthTag(), body].map((part) => part.toString('base64url')).join('.');
  }

  decrypt(purpose: KeyPurpose, sealed: string, context: string): Buffer {
    const [iv, tag, body] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
    if (!iv || !tag || !body) throw new Error('malformed ciphertext');
    const decipher = createDecipheriv('aes-256-gcm', this.subkey(purpose), iv);
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  }
}
