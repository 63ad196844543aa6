// The operator's session: client credentials traded for a bearer token at /oauth/token,
// renewed a minute before it expires, and at once when the server says it is no longer
// valid (its clock is the one that counts). The secret stays in this page's memory only,
// until signing out forgets it and revokes the token at /oauth/revoke (RFC 7009).

const EARLY_MS = 60_000;

export class SignInError extends Error {}

export class Session {
  constructor({ tokenUrl, revokeUrl, clientId, clientSecret, apiKey, operator }) {
    Object.assign(this, { tokenUrl, revokeUrl, clientId, clientSecret, apiKey, operator });
    this.signedOut = false;
    this.accessToken = null;
    this.tenantId = null;
    this.renewals = 0;
    this.pending = null;
    this.timer = null;
  }

  /** Fetch the first token; throws SignInError when the credentials are refused. */
  async signIn() {
    await this.renew();
  }

  /** A token the server should accept now (renewing first if it is about to expire). */
  async token() {
    if (this.signedOut) throw new SignInError("signed out");
    if (!this.accessToken || Date.now() >= this.expiresAt - EARLY_MS) await this.renew();
    return this.accessToken;
  }

  /** One renewal at a time: concurrent callers share it. */
  renew() {
    this.pending ??= this.fetchToken().finally(() => (this.pending = null));
    return this.pending;
  }

  async fetchToken() {
    const response = await fetch(this.tokenUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        grant_type: "client_credentials",
        client_id: this.clientId,
        client_secret: this.clientSecret,
      }),
    });
    if (response.status === 400 || response.status === 401) throw new SignInError("refused");
    if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
    const body = await response.json();
    if (this.signedOut) {
      revoke(this.revokeUrl, body.access_token); // a renewal that ended after signing out
      throw new SignInError("signed out");
    }
    this.accessToken = body.access_token;
    this.tenantId = body.tenant_id;
    this.expiresAt = Date.now() + body.expires_in * 1000;
    this.renewals += 1;
    this.schedule(body.expires_in * 1000);
  }

  schedule(lifetimeMs) {
    clearTimeout(this.timer);
    const wait = Math.max(lifetimeMs - EARLY_MS, lifetimeMs / 2);
    this.timer = setTimeout(() => this.renew().catch(() => {}), wait);
  }

  /** The three credential headers, plus X-User naming the operator on every write. */
  async headers() {
    return {
      Authorization: `Bearer ${await this.token()}`,
      "x-api-key": this.apiKey,
      "tenant-id": this.tenantId,
      "X-User": this.operator,
    };
  }

  /** Forget every credential, then revoke the token on the server; whether the server
   * confirmed it (an unreachable one still leaves nothing here, and the token expires). */
  async signOut() {
    const token = this.accessToken;
    this.signedOut = true;
    clearTimeout(this.timer);
    for (const name of ["accessToken", "clientId", "clientSecret", "apiKey", "tenantId", "operator"]) {
      this[name] = null;
    }
    return token ? revoke(this.revokeUrl, token) : true;
  }
}

/** RFC 7009: the token alone proves the right to end it. */
async function revoke(url, token) {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token, token_type_hint: "access_token" }),
    });
    return response.ok;
  } catch {
    return false; // offline: the token still ends when it expires
  }
}
