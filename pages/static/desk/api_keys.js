// The API-keys dialog of the header (admins): the tenant's API clients, a form to create
// one (its secrets are shown once, to copy into the system that uses it) and revoking one,
// after a confirmation. The server checks the admin's role on every one of these calls and
// keeps only hashes; the secrets live in this dialog until it closes, never in storage.
import { API_KEY_MESSAGES } from "./api_keys_messages.js";
import { fill, h, isolate } from "./dom.js";
import { formatTime, t } from "./i18n.js";
import { MESSAGES } from "./messages.js";
import { dialog } from "./team.js";

for (const [language, texts] of Object.entries(API_KEY_MESSAGES)) {
  Object.assign(MESSAGES[language], texts);
}

const ACCESS = ["FULL", "READ_ONLY"];

function secretField(id, labelKey, value) {
  return [
    h("label", { for: id }, t(labelKey)),
    h("input", { id, type: "text", readonly: true, value, class: "link", dir: "ltr", autocomplete: "off" }),
  ];
}

function shownSecrets(client, credentials) {
  return h(
    "div",
    { class: "link-box", role: "status", id: "api-key-secrets" },
    h("p", {}, t("apiKeys.secrets", { name: client.name })),
    h(
      "div",
      { class: "invite" },
      secretField("api-key-client-id", "apiKeys.clientId", credentials.clientId),
      secretField("api-key-client-secret", "apiKeys.clientSecret", credentials.clientSecret),
      secretField("api-key-api-key", "apiKeys.apiKey", credentials.apiKey),
      secretField("api-key-tenant", "apiKeys.tenant", credentials.tenantId),
    ),
  );
}

/** The API-keys dialog: every key of the tenant, and a form to create one. */
export async function openApiKeys(api) {
  const list = h("tbody", { id: "api-key-list" });
  const message = h("div", { id: "api-key-message", "aria-live": "polite" });
  const error = h("p", { class: "form-error", role: "alert", id: "api-key-error" });
  const form = h(
    "form",
    { class: "invite", id: "api-key-add" },
    h("h3", {}, t("apiKeys.add")),
    h("label", { for: "api-key-name" }, t("apiKeys.name")),
    h("input", {
      id: "api-key-name",
      name: "name",
      type: "text",
      required: true,
      maxlength: 200,
      placeholder: t("apiKeys.namePlaceholder"),
    }),
    h("label", { for: "api-key-access" }, t("apiKeys.access")),
    h(
      "select",
      { id: "api-key-access", name: "role" },
      ACCESS.map((role) => h("option", { value: role }, t(`apiKeys.${role}`))),
    ),
    h("button", { type: "submit", class: "primary" }, t("apiKeys.create")),
    error,
  );
  const table = h(
    "table",
    { class: "team", id: "api-keys" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["apiKeys.name", "apiKeys.clientId", "apiKeys.access", "apiKeys.created", "apiKeys.state", "apiKeys.actions"].map(
          (k) => h("th", { scope: "col" }, t(k)),
        ),
      ),
    ),
    list,
  );
  dialog("api-keys-dialog", "apiKeys.title", h("p", {}, t("apiKeys.help")), message, table, form);

  /** Run a mutation; its user errors go under the form. The payload, or null. */
  async function change(name, input) {
    error.textContent = "";
    const data = await api.mutate(name, { input });
    const payload = Object.values(data)[0];
    if (payload.userErrors.length) {
      error.textContent = payload.userErrors.map((e) => e.message).join(" ");
      return null;
    }
    await load();
    return payload;
  }

  function confirmRevoke(cell, client) {
    fill(
      cell,
      h("span", { class: "confirm" }, t("apiKeys.confirm", { name: client.name })),
      " ",
      h(
        "button",
        {
          type: "button",
          class: "revoke-yes",
          onclick: async () => {
            const payload = await change("RevokeApiClient", { clientId: client.clientId });
            if (payload) fill(message, h("p", { role: "status" }, t("apiKeys.revoked", { name: client.name })));
          },
        },
        t("apiKeys.confirmYes"),
      ),
      h("button", { type: "button", class: "revoke-no", onclick: () => load() }, t("apiKeys.confirmNo")),
    );
    cell.querySelector(".revoke-no").focus();
  }

  function row(client) {
    const actions = h("div", { class: "buttons" }); // a flex box inside the cell, not the cell
    if (!client.revokedAt) {
      actions.append(
        h(
          "button",
          { type: "button", class: "revoke", onclick: () => confirmRevoke(actions, client) },
          t("apiKeys.revoke"),
        ),
      );
    }
    return h(
      "tr",
      { dataset: { id: client.clientId, revoked: client.revokedAt ? "true" : "false" } },
      h("td", {}, isolate(client.name)),
      h("td", {}, isolate(client.clientId, "code")),
      h("td", {}, t(`apiKeys.${client.role}`)),
      h("td", {}, formatTime(client.createdAt)),
      h("td", {}, client.revokedAt ? t("apiKeys.revokedAt", { time: formatTime(client.revokedAt) }) : t("apiKeys.live")),
      h("td", {}, actions),
    );
  }

  async function load() {
    const data = await api.query("ApiClients");
    const clients = data.apiClients;
    fill(
      list,
      clients.length ? clients.map(row) : h("tr", {}, h("td", { colspan: 6 }, t("apiKeys.none"))),
    );
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(form));
    fill(message);
    const payload = await change("CreateApiClient", { name: values.name, role: values.role });
    if (payload) {
      fill(message, shownSecrets(payload.apiClient, payload.credentials));
      form.reset();
    }
  });
  await load();
}
