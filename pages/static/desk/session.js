// The operator's session: a staff user signed in at /desk/session. The server keeps the
// session and hands the browser an HttpOnly cookie this page never sees; what the page holds
// is the session's CSRF token, sent as X-CSRF-Token on every GraphQL call and in the live
// feed's connection_init, which another site cannot read or make up. A reload reads the
// token again from /desk/session; signing out ends the session on the server.

export class SignInError extends Error {}
export class ThrottledError extends Error {
  constructor(retryAfter) {
    super("throttled");
    this.retryAfter = retryAfter;
  }
}

const JSON_HEADERS = { "Content-Type": "application/json" };

export class Session {
  constructor(url, described) {
    this.url = url;
    this.signedOut = false;
    this.pending = null;
    this.take(described);
  }

  /** The session this browser already has (its cookie), or null. */
  static async resume(url) {
    const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) throw new Error(`session answered ${response.status}`);
    const body = await response.json();
    return body.signedIn ? new Session(url, body) : null;
  }

  /** Sign in; throws SignInError (wrong tenant, e-mail or password) or ThrottledError. */
  static async signIn(url, { tenant, email, password }) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: JSON_HEADERS,
      body: JSON.stringify({ tenant, email, password }),
    });
    if (response.status === 429) {
      throw new ThrottledError(Number(response.headers.get("Retry-After") || 60));
    }
    if (response.status === 400 || response.status === 401) throw new SignInError("refused");
    if (!response.ok) throw new Error(`sign-in answered ${response.status}`);
    return new Session(url, await response.json());
  }

  take({ user, tenantId, csrf, expiresAt }) {
    Object.assign(this, { user, tenantId, csrf, expiresAt });
  }

  /** The operator as the header shows them. */
  get operator() {
    return this.user?.name ?? "";
  }

  get role() {
    return this.user?.role ?? "VIEWER";
  }

  /** Read the session again (the server's clock decides whether it still holds); throws
   * SignInError once it has ended. Concurrent callers share one request. */
  renew() {
    this.pending ??= this.fetchSession().finally(() => (this.pending = null));
    return this.pending;
  }

  async fetchSession() {
    if (this.signedOut) throw new SignInError("signed out");
    const response = await fetch(this.url, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) throw new Error(`session answered ${response.status}`);
    const body = await response.json();
    if (!body.signedIn) throw new SignInError("session ended");
    this.take(body);
  }

  /** What every call that may change something carries. */
  async headers() {
    if (this.signedOut) throw new SignInError("signed out");
    return { "X-CSRF-Token": this.csrf };
  }

  /** Change one's own password: every other session of the user ends, this one goes on.
   * A refusal throws an Error whose message names the field refused. */
  async changePassword(current, next) {
    const response = await fetch(`${this.url}/password`, {
      method: "POST",
      credentials: "same-origin",
      headers: { ...JSON_HEADERS, ...(await this.headers()) },
      body: JSON.stringify({ current, new: next }),
    });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error?.field ?? body.error?.code ?? "");
    this.take(body);
  }

  /** End the session on the server, then forget it here; whether the server confirmed it
   * (offline, the session still ends by itself when idle). */
  async signOut() {
    const headers = { "X-CSRF-Token": this.csrf };
    this.signedOut = true;
    this.csrf = this.user = this.tenantId = null;
    try {
      const response = await fetch(this.url, {
        method: "DELETE",
        credentials: "same-origin",
        headers,
      });
      return response.ok;
    } catch {
      return false;
    }
  }
}

/** Set a password with an invitation or reset link's token; the account's e-mail and
 * tenant on success; otherwise throws an Error whose message is the refusal's code
 * (UNAUTHENTICATED: the link is used, expired or wrong; INVALID_INPUT: the password). */
export async function setPassword(url, token, password) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: JSON_HEADERS,
    body: JSON.stringify({ token, password }),
  });
  const body = await response.json();
  if (response.status === 429) throw new ThrottledError(Number(response.headers.get("Retry-After")));
  if (!response.ok) throw new Error(body.error?.code ?? String(response.status));
  return body;
}
