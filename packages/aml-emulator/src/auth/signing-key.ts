/** An RS256 key pair that signs JWTs (as Entra and GitHub do) and publishes its public half as a JWKS. */
import { randomUUID } from 'node:crypto';
import type { webcrypto } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT } from 'jose';
import type { JWK, JWTPayload } from 'jose';

type CryptoKey = webcrypto.CryptoKey;

const ALGORITHM = 'RS256';
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;

export type VerifyFailure = 'malformed' | 'signature' | 'expired' | 'notYetValid';
export type VerifyResult = { ok: true; claims: JWTPayload } | { ok: false; reason: VerifyFailure; claims?: JWTPayload };

export class SigningKey {
  readonly kid: string;
  readonly publicJwk: JWK;
  private readonly privateKey: CryptoKey;
  private readonly publicKey: CryptoKey;
  private readonly privateJwk: JWK;

  private constructor(privateJwk: JWK, privateKey: CryptoKey, publicKey: CryptoKey) {
    this.kid = privateJwk.kid ?? randomUUID();
    this.privateJwk = { ...privateJwk, kid: this.kid, alg: ALGORITHM };
    const publicJwk: JWK = { ...this.privateJwk, use: 'sig' };
    for (const member of PRIVATE_MEMBERS) delete publicJwk[member];
    this.publicJwk = publicJwk;
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  static async generate(): Promise<SigningKey> {
    const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
    return SigningKey.fromJwk({ ...(await exportJWK(privateKey)), kid: randomUUID() });
  }

  static async fromJwk(privateJwk: JWK): Promise<SigningKey> {
    const publicJwk: JWK = { ...privateJwk };
    for (const member of PRIVATE_MEMBERS) delete publicJwk[member];
    const privateKey = (await importJWK(privateJwk, ALGORITHM)) as CryptoKey;
    const publicKey = (await importJWK(publicJwk, ALGORITHM)) as CryptoKey;
    return new SigningKey(privateJwk, privateKey, publicKey);
  }

  toJSON(): JWK {
    return this.privateJwk;
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  /** Claims win over the defaults, so callers can mint expired or not-yet-valid tokens on purpose. */
  async sign(claims: JWTPayload, lifetimeSeconds: number, now = new Date()): Promise<string> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    return new SignJWT({ iat: issuedAt, nbf: issuedAt, exp: issuedAt + lifetimeSeconds, ...claims })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT', kid: this.kid })
      .sign(this.privateKey);
  }

  /** Checks form, signature and time; the caller checks issuer and audience to give the service's own errors. */
  async verify(token: string): Promise<VerifyResult> {
    let claims: JWTPayload;
    try {
      decodeProtectedHeader(token);
      claims = decodeJwt(token);
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    try {
      await jwtVerify(token, this.publicKey, { algorithms: [ALGORITHM] });
      return { ok: true, claims };
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ERR_JWT_EXPIRED') return { ok: false, reason: 'expired', claims };
      if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') return { ok: false, reason: 'notYetValid', claims };
      return {
        ok: false,
        reason: code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' ? 'signature' : 'malformed',
        claims,
      };
    }
  }
}
