import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';

/** AES-256-GCM for secrets at rest. Stored form: version byte, 12-byte IV, 16-byte tag, ciphertext. */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** Any string works as a key: it is stretched to 32 bytes with SHA-256. */
  static fromPassphrase(passphrase: string): SecretBox {
    return new SecretBox(createHash('sha256').update(passphrase).digest());
  }

  /** Reads the key file in the data directory, creating it (mode 0600) on first use. */
  static async fromKeyFile(dataDir: string): Promise<SecretBox> {
    const file = path.join(dataDir, 'secrets.key');
    await mkdir(dataDir, { recursive: true });
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(randomBytes(32).toString('base64'));
      await handle.close();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    return SecretBox.fromPassphrase((await readFile(file, 'utf8')).trim());
  }

  encrypt(plaintext: string): Uint8Array<ArrayBuffer> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return new Uint8Array(Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), body]));
  }

  decrypt(sealed: Uint8Array): string {
    const data = Buffer.from(sealed);
    if (data[0] !== 1) throw new Error('unknown secret format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, data.subarray(1, 13));
    decipher.setAuthTag(data.subarray(13, 29));
    return Buffer.concat([decipher.update(data.subarray(29)), decipher.final()]).toString('utf8');
  }
}
