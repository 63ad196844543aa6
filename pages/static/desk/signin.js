// The sign-in form: an API client's id and secret (traded at /oauth/token), its API key, and
// the operator's own name, which every write carries as X-User. Under `make run` the page
// carries the dev client's credentials and this form is skipped.
import { fill, h } from "./dom.js";
import { t } from "./i18n.js";
import { Session, SignInError } from "./session.js";

const FIELDS = [
  ["clientId", "signin.clientId", "text", "username"],
  ["clientSecret", "signin.clientSecret", "password", "current-password"],
  ["apiKey", "signin.apiKey", "password", "off"],
  ["operator", "signin.operator", "text", "name"],
];

/** Resolves with a signed-in Session once the credentials work; `note` says why the form
 * shows (the operator just signed out). */
export function signIn(root, config, check, note = null) {
  if (config.devSignIn) return start(config, config.devSignIn, check);
  return new Promise((resolve) => {
    const error = h("p", { class: "form-error", role: "alert", id: "signin-error" });
    const form = h(
      "form",
      { class: "signin", "aria-labelledby": "signin-title" },
      h("h1", { id: "signin-title" }, t("signin.title")),
      note ? h("p", { class: "note", role: "status" }, note) : null,
      h("p", {}, t("signin.help")),
      FIELDS.map(([name, label, type, autocomplete]) =>
        h(
          "div",
          { class: "field" },
          h("label", { for: `signin-${name}` }, t(label)),
          h("input", { id: `signin-${name}`, name, type, autocomplete, required: true }),
        ),
      ),
      error,
      h("button", { type: "submit", class: "primary" }, t("signin.submit")),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const values = Object.fromEntries(new FormData(form));
      try {
        resolve(await start(config, values, check));
      } catch (failure) {
        error.textContent = t(failure instanceof SignInError ? "signin.failed" : "signin.badKey");
      }
    });
    fill(root, h("main", { class: "signin-page" }, form));
    form.querySelector("input").focus();
  });
}

async function start(config, values, check) {
  const session = new Session({ tokenUrl: config.token, revokeUrl: config.revoke, ...values });
  await session.signIn();
  return check(session);
}
