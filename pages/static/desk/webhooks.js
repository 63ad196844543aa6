// The webhooks dialog of the header (admins): the tenant's endpoints, a form to add one (its
// signing secret is shown once, to copy into the receiver), pause or resume, and remove.
// The server checks the admin's role on every one of these calls.
import { fill, h, isolate } from "./dom.js";
import { t } from "./i18n.js";
import { dialog } from "./team.js";

export async function openWebhooks(api) {
  const list = h("tbody", { id: "webhook-list" });
  const message = h("div", { id: "webhook-message", "aria-live": "polite" });
  const error = h("p", { class: "form-error", role: "alert", id: "webhook-error" });
  const form = h(
    "form",
    { class: "invite", id: "webhook-add" },
    h("h3", {}, t("webhooks.add")),
    h("label", { for: "webhook-url" }, t("webhooks.url")),
    h("input", { id: "webhook-url", name: "url", type: "url", required: true, dir: "ltr" }),
    h("label", { for: "webhook-merchant" }, t("webhooks.merchant")),
    h("input", { id: "webhook-merchant", name: "merchant", type: "text" }),
    h("button", { type: "submit", class: "primary" }, t("webhooks.create")),
    error,
  );
  const table = h(
    "table",
    { class: "team" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["webhooks.url", "webhooks.merchant", "team.state", "team.actions"].map((k) =>
          h("th", { scope: "col" }, t(k)),
        ),
      ),
    ),
    list,
  );
  dialog("webhooks-dialog", "webhooks.title", message, table, form);

  async function change(name, input) {
    error.textContent = "";
    const data = await api.mutate(name, { input });
    const payload = Object.values(data)[0];
    if (payload.userErrors.length) {
      error.textContent = payload.userErrors.map((e) => e.message).join(" ");
      return false;
    }
    fill(
      message,
      payload.secret
        ? h(
            "div",
            { class: "link-box", role: "status" },
            h("p", {}, t("webhooks.secret")),
            h("input", {
              type: "text",
              readonly: true,
              value: payload.secret,
              class: "link",
              "aria-label": t("webhooks.secretLabel"),
            }),
          )
        : null,
    );
    await load();
    return true;
  }

  function row(endpoint) {
    return h(
      "tr",
      { dataset: { id: endpoint.id } },
      h("td", {}, isolate(endpoint.url, "code")),
      h("td", {}, endpoint.merchant ? isolate(endpoint.merchant, "code") : t("webhooks.all")),
      h("td", {}, t(endpoint.active ? "webhooks.active" : "webhooks.paused")),
      h(
        "td",
        { class: "buttons" },
        h(
          "button",
          {
            type: "button",
            class: "pause",
            onclick: () =>
              change("UpdateWebhookEndpoint", { id: endpoint.id, active: !endpoint.active }),
          },
          t(endpoint.active ? "webhooks.pause" : "webhooks.resume"),
        ),
        h(
          "button",
          {
            type: "button",
            class: "remove",
            onclick: () => change("DeleteWebhookEndpoint", { id: endpoint.id }),
          },
          t("webhooks.remove"),
        ),
      ),
    );
  }

  async function load() {
    const data = await api.query("WebhookEndpoints");
    fill(list, data.webhookEndpoints.map(row));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(form));
    const input = { url: values.url, merchant: values.merchant || null };
    if (await change("CreateWebhookEndpoint", input)) form.reset();
  });
  await load();
}
