// The sign-in form (tenant, e-mail, password) and the set-password form an invitation or
// reset link opens (/desk/password#token=…: the token rides in the fragment, which the
// browser never sends to a server, and is wiped from the address bar at once). Under
// `make run` the page carries the dev admin's sign-in and the form is skipped once.
import { fill, h } from "./dom.js";
import { t } from "./i18n.js";
import { Session, SignInError, ThrottledError, setPassword } from "./session.js";

const FIELDS = [
  ["tenant", "signin.tenant", "text", "organization"],
  ["email", "signin.email", "email", "username"],
  ["password", "signin.password", "password", "current-password"],
];

function field(name, label, type, autocomplete, value = "") {
  return h(
    "div",
    { class: "field" },
    h("label", { for: `signin-${name}` }, t(label)),
    h("input", { id: `signin-${name}`, name, type, autocomplete, required: true, value }),
  );
}

/** Resolves with what `check` makes of a signed-in Session; `note` says why the form shows
 * (the operator just signed out, or set their password). */
export async function signIn(root, config, check, note = null, known = {}) {
  const resumed = await Session.resume(config.session).catch(() => null);
  if (resumed) return check(resumed);
  if (config.devSignIn) {
    const dev = config.devSignIn;
    config.devSignIn = null;
    return check(await Session.signIn(config.session, dev));
  }
  return new Promise((resolve) => {
    const error = h("p", { class: "form-error", role: "alert", id: "signin-error" });
    const form = h(
      "form",
      { class: "signin", "aria-labelledby": "signin-title" },
      h("h1", { id: "signin-title" }, t("signin.title")),
      note ? h("p", { class: "note", role: "status" }, note) : null,
      h("p", {}, t("signin.help")),
      FIELDS.map(([name, label, type, autocomplete]) =>
        field(name, label, type, autocomplete, known[name] ?? ""),
      ),
      error,
      h("button", { type: "submit", class: "primary" }, t("signin.submit")),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const values = Object.fromEntries(new FormData(form));
      try {
        resolve(await check(await Session.signIn(config.session, values)));
      } catch (failure) {
        error.textContent =
          failure instanceof ThrottledError
            ? t("signin.throttled", { seconds: failure.retryAfter })
            : t(failure instanceof SignInError ? "signin.failed" : "signin.offline");
      }
    });
    fill(root, h("main", { class: "signin-page" }, form));
    form.querySelector("input:not([value]), input[value='']")?.focus();
  });
}

/** The set-password page of an invitation or reset link; resolves with the account (its
 * e-mail and tenant) once the password is set, for the sign-in form to start from. */
export function choosePassword(root, config, token) {
  history.replaceState(null, "", location.pathname.replace(/\/password$/, "") + location.search);
  return new Promise((resolve) => {
    const error = h("p", { class: "form-error", role: "alert", id: "password-error" });
    const form = h(
      "form",
      { class: "signin", "aria-labelledby": "password-title" },
      h("h1", { id: "password-title" }, t("password.title")),
      h("p", {}, t("password.help")),
      field("new-password", "password.new", "password", "new-password"),
      error,
      h("button", { type: "submit", class: "primary" }, t("password.submit")),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const password = form.querySelector("#signin-new-password").value;
      try {
        const account = await setPassword(config.password, token, password);
        resolve({ tenant: account.tenantId, email: account.email });
      } catch (failure) {
        error.textContent =
          failure instanceof ThrottledError
            ? t("signin.throttled", { seconds: failure.retryAfter })
            : t(failure.message === "INVALID_INPUT" ? "password.rules" : "password.linkUsed");
      }
    });
    fill(root, h("main", { class: "signin-page" }, form));
    form.querySelector("input").focus();
  });
}
