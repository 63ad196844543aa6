// The exchanges dialog of the header (admins): one merchant's exchange settings (when an
// exchange is released, whether any product may be taken, what an out-of-stock line
// becomes) and the variants customers may exchange into, with a paste box that upserts a
// JSON array or CSV of variants in one upsertVariants call. The server checks the role.
import { fill, h, isolate } from "./dom.js";
import { formatMoney, t } from "./i18n.js";
import { dialog } from "./team.js";

const RELEASE = ["APPROVAL", "FIRST_SCAN", "RECEIPT"];
const FALLBACK = ["REVIEW", "REFUND", "STORE_CREDIT"];
const FLAGS = new Set(["available", "backorderable"]);

function select(id, name, values, prefix) {
  return h(
    "select",
    { id, name },
    values.map((value) => h("option", { value }, t(`${prefix}.${value}`))),
  );
}

export async function openExchanges(api, merchant = "") {
  const error = h("p", { class: "form-error", role: "alert", id: "exchanges-error" });
  const message = h("div", { id: "exchanges-message", role: "status", "aria-live": "polite" });
  const pick = h(
    "form",
    { class: "invite", id: "exchanges-merchant" },
    h("label", { for: "exchanges-merchant-code" }, t("exchanges.merchant")),
    h("input", { id: "exchanges-merchant-code", name: "merchant", required: true, value: merchant }),
    h("button", { type: "submit" }, t("exchanges.show")),
  );
  const settings = h(
    "form",
    { class: "invite", id: "exchanges-settings", hidden: true },
    h("h3", {}, t("exchanges.settings")),
    h("label", { for: "exchanges-release" }, t("exchanges.releaseOn")),
    select("exchanges-release", "releaseOn", RELEASE, "exchanges.release"),
    h("label", { for: "exchanges-fallback" }, t("exchanges.fallback")),
    select("exchanges-fallback", "outOfStockFallback", FALLBACK, "exchanges.fallback"),
    h("label", { for: "exchanges-any" }, t("exchanges.anyProduct")),
    h("input", { id: "exchanges-any", name: "allowAnyProduct", type: "checkbox" }),
    h("button", { type: "submit", class: "primary" }, t("exchanges.save")),
  );
  const list = h("tbody", { id: "variant-list" });
  const total = h("p", { id: "variant-total" });
  const table = h(
    "table",
    { class: "team variants", hidden: true },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["sku", "group", "title.column", "options", "price", "stock"].map((k) =>
          h("th", { scope: "col" }, t(`exchanges.${k}`)),
        ),
      ),
    ),
    list,
  );
  const paste = h(
    "form",
    { class: "invite", id: "variant-paste", hidden: true },
    h("h3", {}, t("exchanges.upsert")),
    h("p", { class: "hint" }, t("exchanges.pasteHint")),
    h("label", { for: "variant-text", class: "visually-hidden" }, t("exchanges.upsert")),
    h("textarea", { id: "variant-text", name: "text", rows: 6, dir: "ltr", required: true }),
    h("button", { type: "submit", class: "primary" }, t("exchanges.upsertButton")),
  );
  dialog("exchanges-dialog", "exchanges.title", pick, message, error, settings, total, table, paste);
  let current = merchant;

  async function load() {
    const data = await api.query("ExchangeAdmin", { merchant: current });
    const shown = data.exchangeSettings;
    settings.elements.releaseOn.value = shown.releaseOn;
    settings.elements.outOfStockFallback.value = shown.outOfStockFallback;
    settings.elements.allowAnyProduct.checked = shown.allowAnyProduct;
    const variants = data.variants.edges.map((edge) => edge.node);
    fill(list, variants.map(row));
    fill(total, t("exchanges.count", { count: data.variants.totalCount }));
    for (const part of [settings, table, paste]) part.hidden = false;
  }

  async function change(name, input) {
    error.textContent = "";
    fill(message);
    const data = await api.mutate(name, { input });
    const payload = Object.values(data)[0];
    if (payload.userErrors.length) {
      error.textContent = payload.userErrors
        .map((e) => (e.field ? `${e.field}: ${e.message}` : e.message))
        .join(" ");
      return null;
    }
    await load();
    return payload;
  }

  pick.addEventListener("submit", async (event) => {
    event.preventDefault();
    current = pick.elements.merchant.value.trim();
    if (current) await load();
  });
  settings.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = {
      merchant: current,
      releaseOn: settings.elements.releaseOn.value,
      outOfStockFallback: settings.elements.outOfStockFallback.value,
      allowAnyProduct: settings.elements.allowAnyProduct.checked,
    };
    if (await change("UpdateExchangeSettings", input)) fill(message, t("exchanges.saved"));
  });
  paste.addEventListener("submit", async (event) => {
    event.preventDefault();
    let variants;
    try {
      variants = parseVariants(paste.elements.text.value);
    } catch (problem) {
      error.textContent = t("exchanges.unreadable", { problem: problem.message });
      return;
    }
    const done = await change("UpsertVariants", { merchant: current, variants });
    if (done) {
      paste.reset();
      fill(message, t("exchanges.upserted", { created: done.created, updated: done.updated }));
    }
  });
  if (current) await load();
}

function row(variant) {
  const stock = variant.available
    ? "exchanges.inStock"
    : variant.backorderable
      ? "exchanges.backorder"
      : "exchanges.outOfStock";
  return h(
    "tr",
    { dataset: { sku: variant.sku } },
    h("td", {}, isolate(variant.sku, "code")),
    h("td", {}, isolate(variant.groupKey, "code")),
    h("td", {}, isolate(variant.title)),
    h("td", {}, variant.options.map((o) => `${o.name}: ${o.value}`).join(" · ")),
    h("td", { class: "num" }, isolate(formatMoney(variant.price, variant.currency), "money")),
    h("td", {}, t(stock)),
  );
}

/**
 * Variants from what an admin pastes: a JSON array of VariantInput objects, or CSV with a
 * header row naming sku, groupKey, title, price, currency and optionally available,
 * backorderable, imageUrl and options ("size=M;colour=Blue").
 */
export function parseVariants(text) {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) return JSON.parse(trimmed);
  const rows = trimmed.split(/\r?\n/).filter((line) => line.trim());
  const head = splitCsv(rows.shift() ?? "").map((name) => name.trim());
  for (const needed of ["sku", "groupKey", "title", "price", "currency"]) {
    if (!head.includes(needed)) throw new Error(t("exchanges.missingColumn", { column: needed }));
  }
  return rows.map((line) => {
    const cells = splitCsv(line);
    const variant = {};
    head.forEach((name, index) => {
      const value = (cells[index] ?? "").trim();
      if (name === "options") {
        variant.options = value
          ? value.split(";").map((pair) => {
              const [optionName, ...rest] = pair.split("=");
              return { name: optionName.trim(), value: rest.join("=").trim() };
            })
          : [];
      } else if (FLAGS.has(name)) {
        if (value) variant[name] = /^(true|yes|1)$/i.test(value);
      } else if (value || name !== "imageUrl") {
        variant[name] = value;
      }
    });
    return variant;
  });
}

/** One CSV line's cells; a cell in double quotes may hold commas and "" for a quote. */
function splitCsv(line) {
  const cells = [];
  let cell = "";
  let quoted = false;
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index];
    if (quoted && char === '"' && line[index + 1] === '"') {
      cell += '"';
      index += 1;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (char === "," && !quoted) {
      cells.push(cell);
      cell = "";
    } else {
      cell += char;
    }
  }
  cells.push(cell);
  return cells;
}
