// The seeds' token request samples (cURL, Python, Node, Go, Java), filled with this server's token
// URL and audience and one integration's Client ID. Unlike two of the seeds' samples, each sends
// the Client Secret as client_secret (never the client id). Every value is escaped for its
// language, so an unusual PUBLIC_URL cannot break out of a string.

export interface SnippetValues {
  tokenUrl: string;
  audience: string;
  clientId: string;
  /** The secret while it is still shown, else a placeholder. */
  clientSecret: string;
}

export const SECRET_PLACEHOLDER = '<YOUR CLIENT SECRET>';
export const LANGUAGES = ['curl', 'python', 'node', 'go', 'java'] as const;
export type Language = (typeof LANGUAGES)[number];
export const LANGUAGE_LABELS: Record<Language, string> = { curl: 'cURL', python: 'Python', node: 'Node', go: 'Go', java: 'Java' };

/** A double-quoted literal valid in JSON, Python, JavaScript, Go and Java alike. */
const q = (value: string) => JSON.stringify(value);
/** POSIX shell single quotes: nothing inside is interpreted; a quote is closed, escaped, reopened. */
const sh = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

export function snippet(language: Language, v: SnippetValues): string {
  switch (language) {
    case 'curl': {
      const body = ['{', `    "grant_type": "client_credentials",`, `    "audience": ${q(v.audience)},`, `    "client_id": ${q(v.clientId)},`, `    "client_secret": ${q(v.clientSecret)}`, '  }'].join('\n');
      return [`curl -X POST ${sh(v.tokenUrl)} \\`, `  -H 'Content-Type: application/json' \\`, `  -d ${sh(body)}`].join('\n');
    }
    case 'python':
      return `import requests

endpoint = ${q(v.tokenUrl)}
client_id = ${q(v.clientId)}
client_secret = ${q(v.clientSecret)}

resp = requests.post(
    url=endpoint,
    headers={"content-type": "application/json"},
    json={
        "grant_type": "client_credentials",
        "audience": ${q(v.audience)},
        "client_id": client_id,
        "client_secret": client_secret,
    },
    timeout=10,
)

if resp.status_code == 200:
    print(resp.json()["access_token"])
else:
    raise Exception(f"{resp.status_code} {resp.text}")
`;
    case 'node':
      return `// Node 18 or later (global fetch).
const clientId = ${q(v.clientId)};
const clientSecret = ${q(v.clientSecret)};

fetch(${q(v.tokenUrl)}, {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({
    grant_type: "client_credentials",
    audience: ${q(v.audience)},
    client_id: clientId,
    client_secret: clientSecret,
  }),
})
  .then(async (response) => {
    const data = await response.json();
    if (!response.ok) throw new Error(\`\${response.status} \${data.error}: \${data.error_description}\`);
    console.log(data.access_token);
  })
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
`;
    case 'go':
      return `package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

type TokenResponse struct {
	AccessToken string \`json:"access_token"\`
	ExpiresIn   int    \`json:"expires_in"\`
	TokenType   string \`json:"token_type"\`
	Scope       string \`json:"scope"\`
}

func main() {
	tokenURL := ${q(v.tokenUrl)}
	body, err := json.Marshal(map[string]string{
		"grant_type":    "client_credentials",
		"audience":      ${q(v.audience)},
		"client_id":     ${q(v.clientId)},
		"client_secret": ${q(v.clientSecret)},
	})
	if err != nil {
		panic(err)
	}

	client := &http.Client{Timeout: 10 * time.Second}
	res, err := client.Post(tokenURL, "application/json", bytes.NewReader(body))
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()

	if res.StatusCode != http.StatusOK {
		detail, _ := io.ReadAll(res.Body)
		panic(fmt.Sprintf("%s: %s", res.Status, detail))
	}

	var token TokenResponse
	if err := json.NewDecoder(res.Body).Decode(&token); err != nil {
		panic(err)
	}
	fmt.Println("Token:", token.AccessToken)
}
`;
    case 'java':
      return `// Java 11 or later: java.net.http, no other library.
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

public class GetToken {
    public static void main(String[] args) throws Exception {
        String tokenUrl = ${q(v.tokenUrl)};
        String audience = ${q(v.audience)};
        String clientId = ${q(v.clientId)};
        String clientSecret = ${q(v.clientSecret)};

        String form = "grant_type=client_credentials"
            + "&audience=" + URLEncoder.encode(audience, StandardCharsets.UTF_8)
            + "&client_id=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
            + "&client_secret=" + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8);

        HttpRequest request = HttpRequest.newBuilder(URI.create(tokenUrl))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());

        if (response.statusCode() != 200) {
            throw new IllegalStateException("Token request failed: " + response.statusCode() + " " + response.body());
        }
        // {"access_token": "…", "token_type": "Bearer", "expires_in": …, "scope": "…"}: parse it with your JSON library.
        System.out.println(response.body());
    }
}
`;
  }
}
