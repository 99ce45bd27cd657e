import { useState } from 'react';
import { api, type Integration, type ServerInfo } from '../../api/endpoints.ts';
import { useResource } from '../../api/use-resource.ts';
import { CopyButton } from '../../ui/copy-button.tsx';
import { Loaded } from '../../ui/states.tsx';
import { Tabs } from '../../ui/tabs.tsx';
import { LANGUAGE_LABELS, LANGUAGES, SECRET_PLACEHOLDER, snippet, type Language } from './snippets.ts';

let cachedInfo: ServerInfo | null = null;

/** This server's token URL and audience: from the console surface, else from discovery. */
async function serverInfo(signal: AbortSignal): Promise<ServerInfo> {
  if (cachedInfo) return cachedInfo;
  try {
    cachedInfo = await api.serverInfo(signal);
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    const response = await fetch('/.well-known/oauth-authorization-server', { signal, credentials: 'omit' });
    const metadata = (await response.json()) as { issuer: string; token_endpoint: string };
    cachedInfo = { issuer: metadata.issuer, tokenEndpoint: metadata.token_endpoint, audience: metadata.issuer };
  }
  return cachedInfo;
}

/** "Get a token": the seeds' samples, correct, for this server and this integration. */
export function GetTokenPanel({ integration, secret, onClose }: { integration: Integration; secret: string | undefined; onClose: () => void }) {
  const info = useResource(serverInfo, []);
  const [language, setLanguage] = useState<Language>('curl');
  return (
    <section id="get-a-token" className="panel get-token" aria-labelledby="get-token-title">
      <div className="section-head">
        <h3 id="get-token-title">Get a token</h3>
        <button type="button" className="button button-quiet button-small" onClick={onClose}>
          Hide
        </button>
      </div>
      <Loaded resource={info.state} what="this server’s token URL" onRetry={info.reload}>
        {(server) => {
          const code = snippet(language, {
            tokenUrl: server.tokenEndpoint,
            audience: server.audience,
            clientId: integration.clientId,
            clientSecret: secret ?? SECRET_PLACEHOLDER,
          });
          return (
            <>
              <dl className="facts facts-inline">
                <div>
                  <dt>Token URL</dt>
                  <dd>
                    <code className="value">{server.tokenEndpoint}</code>
                    <CopyButton text={server.tokenEndpoint} what="token URL" />
                  </dd>
                </div>
                <div>
                  <dt>Audience</dt>
                  <dd>
                    <code className="value">{server.audience}</code>
                  </dd>
                </div>
              </dl>
              {secret ? (
                <p className="message message-warning" role="note">
                  These samples contain the Client Secret you have just received. Run them on a server; never paste them into a browser,
                  a ticket or a chat.
                </p>
              ) : (
                <p className="hint">
                  Replace <code>{SECRET_PLACEHOLDER}</code> with the Client Secret you stored when it was shown. This request belongs on a
                  server, never in a browser.
                </p>
              )}
              {integration.scopes.length === 0 && (
                <p className="message message-warning" role="note">
                  This integration has no permissions yet, so the request would be refused: choose some on the Permissions tab first.
                </p>
              )}
              {integration.disabled && (
                <p className="message message-warning" role="note">
                  This integration is disabled: the request would be refused until it is enabled.
                </p>
              )}
              <Tabs label="Token request samples" tabs={LANGUAGES.map((id) => ({ id, label: LANGUAGE_LABELS[id] }))} selected={language} onSelect={(id) => setLanguage(id as Language)} className="tabs tabs-code">
                <div className="code-block">
                  <pre>
                    <code data-testid="snippet" data-language={language}>
                      {code}
                    </code>
                  </pre>
                  <CopyButton text={code} what={`${LANGUAGE_LABELS[language]} sample`} className="button button-small code-copy" />
                </div>
              </Tabs>
              <p className="hint">
                The answer is <code>{'{"access_token", "token_type": "Bearer", "expires_in", "scope"}'}</code>. Keep the token until
                shortly before <code>expires_in</code> runs out (asking earlier returns the same token, at the cost of a round trip).
                Send it to the Environment API as <code>Authorization: Bearer …</code> at{' '}
                <code>{server.issuer}/grafx/api/v1/environment/{integration.environment}/</code>.
              </p>
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
