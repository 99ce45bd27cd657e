import { AppError } from '../../errors.ts';
import type { Clock } from '../../infra/clock.ts';
import type { UnitOfWork } from '../../db/unit-of-work.ts';
import type { ClientRecord } from '../tokens/client-registry.ts';
import { ReusableTokensRepository } from '../tokens/reusable-tokens.repository.ts';
import { RevokedTokensRepository } from './revoked-tokens.repository.ts';
import { BearerTokenError, type AccessTokenVerifier } from './verify-access-token.ts';

/** RFC 7662 §2.2 members, plus Latchkey's environment and integration ids. */
export type IntrospectionResponse = { active: false } | ({ active: true } & Record<string, unknown>);

/**
 * Introspection (RFC 7662) and revocation (RFC 7009) of access tokens, for clients already
 * authenticated by the one client authentication.
 */
export class TokenRevocationService {
  constructor(
    private readonly verifier: AccessTokenVerifier,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  /**
   * Active only while the Environment API would accept the token, and only for an integration of
   * the token's own environment: to any other caller every token is inactive.
   */
  async introspect(client: ClientRecord, token: string): Promise<IntrospectionResponse> {
    const inspected = await this.verifier.inspect(token);
    if (!inspected || inspected.principal.environmentId !== client.environmentId) return { active: false };
    const { claims } = inspected;
    return {
      active: true,
      scope: claims.scope,
      client_id: claims.client_id,
      token_type: 'Bearer',
      exp: claims.exp,
      iat: claims.iat,
      ...(typeof claims.nbf === 'number' ? { nbf: claims.nbf } : {}),
      sub: claims.sub,
      aud: claims.aud,
      iss: claims.iss,
      jti: claims.jti,
      environment: claims.environment,
      integration_id: claims.integration_id,
    };
  }

  /**
   * RFC 7009 §2.1: a client revokes its own tokens. An invalid, expired or unknown token answers
   * 200 all the same (§2.2); a good token of another client is refused.
   */
  async revoke(client: ClientRecord, token: string): Promise<void> {
    let claims: ReturnType<AccessTokenVerifier['checkSignatureAndClaims']>;
    try {
      claims = this.verifier.checkSignatureAndClaims(token);
    } catch (error) {
      if (error instanceof BearerTokenError) return;
      throw error;
    }
    if (claims.client_id !== client.clientId || claims.environment !== client.environmentId) {
      throw new AppError('unauthorized_client', 'The token was not issued to this client; a client may revoke only its own tokens.');
    }
    const jti = claims.jti as string;
    await this.unitOfWork.commit(
      {
        actor: { type: 'integration', id: client.clientId },
        // Dropping the integration's cached state ends reuse and every cached verification of its
        // tokens, here at once and on other nodes when they read the change feed.
        change: { kind: 'integration', environmentId: client.environmentId, entityId: client.clientId },
        audit: { environmentId: client.environmentId, action: 'token.revoke', target: { type: 'integration', id: client.integrationId }, changes: { jti } },
      },
      async (trx) => {
        await new RevokedTokensRepository(trx).insert({
          jti,
          environment_id: client.environmentId,
          integration_id: client.integrationId,
          revoked_at: this.clock.now(),
          expires_at: claims.exp as number,
        });
        await new ReusableTokensRepository(trx).deleteByJti(client.environmentId, jti);
      },
    );
  }
}
