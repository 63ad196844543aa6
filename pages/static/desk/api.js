// GraphQL over HTTP with the checked-in documents of ./graphql/. Each document is sent with
// exactly the fragments it spreads (GraphQL refuses unused ones), with the session's CSRF
// token (the cookie goes by itself). A 401 means the session ended on the server's clock
// (signed out elsewhere, idle, a new password, the user disabled): read the session again,
// and when it is gone hand over to the sign-in form (`onEnded`).
import { randomKey } from "./dom.js";
import { SignInError } from "./session.js";

const SPREAD = /\.\.\.\s*(\w+)/g;
const FRAGMENT = /fragment\s+(\w+)\s+on\s+\w+\s*\{/g;

export class NetworkError extends Error {}

export class Api {
  constructor({ session, graphqlUrl, documentsUrl, onEnded = () => {} }) {
    Object.assign(this, { session, graphqlUrl, documentsUrl, onEnded });
    this.texts = new Map();
  }

  async load(name) {
    if (!this.texts.has(name)) {
      const response = await fetch(`${this.documentsUrl}${name}.graphql`);
      if (!response.ok) throw new Error(`document ${name} is missing`);
      this.texts.set(name, await response.text());
    }
    return this.texts.get(name);
  }

  /** The document with the fragments it needs, transitively. */
  async document(name) {
    const [text, fragments] = await Promise.all([this.load(name), this.fragments()]);
    const needed = [];
    const pending = [...text.matchAll(SPREAD)].map((m) => m[1]);
    while (pending.length) {
      const fragment = pending.pop();
      if (needed.includes(fragment)) continue;
      needed.push(fragment);
      pending.push(
        ...[...fragments.get(fragment).split("{").slice(1).join("{").matchAll(SPREAD)].map(
          (m) => m[1],
        ),
      );
    }
    return [text, ...needed.map((n) => fragments.get(n))].join("\n");
  }

  async fragments() {
    if (!this.parsed) {
      const text = await this.load("fragments");
      this.parsed = new Map();
      for (const match of text.matchAll(FRAGMENT)) {
        let depth = 0;
        let end = match.index + match[0].length - 1;
        for (; end < text.length; end += 1) {
          depth += text[end] === "{" ? 1 : text[end] === "}" ? -1 : 0;
          if (depth === 0) break;
        }
        this.parsed.set(match[1], text.slice(match.index, end + 1));
      }
    }
    return this.parsed;
  }

  /** Run a query; GraphQL errors throw, data comes back. */
  async query(name, variables = {}) {
    const body = await this.post(name, variables);
    if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join("; "));
    return body.data;
  }

  /** Run a mutation once (an Idempotency-Key makes a resend after a lost answer safe). */
  async mutate(name, variables) {
    return this.query(name, variables);
  }

  async post(name, variables, retried = false) {
    const query = await this.document(name);
    const headers = { "Content-Type": "application/json", ...(await this.session.headers()) };
    if (query.trimStart().startsWith("mutation")) headers["Idempotency-Key"] = randomKey();
    let response;
    try {
      response = await fetch(this.graphqlUrl, {
        method: "POST",
        credentials: "same-origin",
        headers,
        body: JSON.stringify({ query, variables, operationName: name }),
      });
    } catch (error) {
      throw new NetworkError(String(error));
    }
    if (response.status === 401 && !retried) {
      try {
        await this.session.renew();
      } catch (failure) {
        if (failure instanceof SignInError) this.onEnded();
        throw failure;
      }
      return this.post(name, variables, true);
    }
    return response.json();
  }
}
