// The insights page: a merchant's charts for a period, from `returnInsights` (the database
// computes every figure). Each chart is a plain SVG of bars drawn here, no library, hidden
// from screen readers, with the same figures in a table they read instead. Live: new events
// redraw it (a little later, once for a burst).
import { fill, h, isolate } from "./dom.js";
import { formatMoney, language, startOfDay, t } from "./i18n.js";

const SVG = "http://www.w3.org/2000/svg";
const BAR = 22;
const WIDTH = 520;
const LABEL = 170;

function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) element.append(child);
  return element;
}

const number = (value, digits = 0) =>
  new Intl.NumberFormat(language() === "ar" ? "ar-AE" : "en-GB", {
    maximumFractionDigits: digits,
  }).format(value);

/** Horizontal bars, longest first as given; `bars`: [{label, value, shown}]. */
function bars(items) {
  const most = Math.max(1, ...items.map((item) => item.value));
  const rtl = document.documentElement.dir === "rtl";
  const height = items.length * (BAR + 6) + 4;
  const svg = s("svg", {
    viewBox: `0 0 ${WIDTH} ${height}`,
    width: "100%",
    class: "chart",
    "aria-hidden": "true",
    focusable: "false",
  });
  items.forEach((item, index) => {
    const y = index * (BAR + 6) + 2;
    const length = Math.max(2, ((WIDTH - LABEL - 90) * item.value) / most);
    const barX = rtl ? WIDTH - LABEL - length : LABEL;
    const labelX = rtl ? WIDTH - 4 : 4;
    const valueX = rtl ? barX - 6 : barX + length + 6;
    svg.append(
      s("text", { x: labelX, y: y + BAR * 0.7, class: "chart-label", "text-anchor": "start" }, item.label),
      s("rect", { x: barX, y, width: length, height: BAR, rx: 3, class: "chart-bar" }),
      s("text", { x: valueX, y: y + BAR * 0.7, class: "chart-value", "text-anchor": "start" }, item.shown),
    );
  });
  if (rtl) svg.setAttribute("direction", "rtl");
  return svg;
}

/** The figures as a table: what a screen reader reads in place of the bars. */
function table(caption, head, rows) {
  return h(
    "table",
    { class: "chart-table" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, head.map((key) => h("th", { scope: "col" }, t(key))))),
    h(
      "tbody",
      {},
      rows.map((cells) =>
        h("tr", {}, cells.map((cell, i) => (i === 0 ? h("th", { scope: "row" }, cell) : h("td", {}, cell)))),
      ),
    ),
  );
}

function chart(key, items, head, rows) {
  const id = `chart-${key.replace(/\W+/g, "-")}`;
  return h(
    "section",
    { class: "chart-card", "aria-labelledby": id, dataset: { chart: key } },
    h("h3", { id }, t(key)),
    items.length ? [bars(items), table(t(key), head, rows)] : h("p", { class: "empty" }, t("insights.empty")),
  );
}

export class InsightsView {
  constructor({ api, merchant, onError = () => {} }) {
    Object.assign(this, { api, onError });
    const today = new Date().toISOString().slice(0, 10);
    const before = new Date(Date.now() - 89 * 86400000).toISOString().slice(0, 10);
    this.form = { merchant: merchant || "", from: before, until: today };
    this.element = h("section", { class: "insights", id: "insights", "aria-labelledby": "insights-title" });
    this.charts = h("div", { class: "charts", "aria-live": "polite" });
  }

  draw() {
    const field = (name, label, type = "text") =>
      h(
        "div",
        { class: "field" },
        h("label", { for: `insights-${name}` }, t(label)),
        h("input", { id: `insights-${name}`, name, type, value: this.form[name] }),
      );
    const form = h(
      "form",
      { class: "filters insights-form" },
      field("merchant", "insights.merchant"),
      field("from", "insights.from", "date"),
      field("until", "insights.to", "date"),
      h("div", { class: "buttons" }, h("button", { type: "submit", class: "primary" }, t("insights.show"))),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.form = Object.fromEntries(new FormData(form));
      this.load();
    });
    fill(
      this.element,
      h("h2", { id: "insights-title" }, t("insights.title")),
      form,
      h("p", { class: "hint" }, t("insights.live")),
      this.charts,
    );
    return this.element;
  }

  async load() {
    const { merchant, from, until } = this.form;
    if (!merchant?.trim()) {
      fill(this.charts, h("p", {}, t("insights.needMerchant")));
      return;
    }
    const end = new Date(`${until}T00:00:00Z`);
    end.setUTCDate(end.getUTCDate() + 1);
    const data = await this.api.query("Insights", {
      merchant: merchant.trim(),
      from: startOfDay(from),
      to: startOfDay(end.toISOString().slice(0, 10)),
      lang: language(),
    });
    this.show(data.returnInsights);
  }

  show(insights) {
    const percent = (rate) => (rate == null ? "—" : `${number(rate * 100, 1)} %`);
    const products = insights.products;
    const reasons = insights.reasons;
    const reasonName = (r) => r.reason?.name ?? r.reasonCode ?? t("insights.noReason");
    const typeName = (o) => o.refundType?.name ?? o.refundTypeCode ?? t("insights.noType");
    const money = (amount, currency) => isolate(formatMoney(amount, currency), "money");
    const delays = insights.timeToRefund;
    const weeks = insights.moneyPerWeek;
    fill(
      this.charts,
      chart(
        "insights.products",
        products.map((p) => ({ label: p.sku, value: p.returnedUnits, shown: `${number(p.returnedUnits)} · ${percent(p.returnRate)}` })),
        ["insights.sku", "insights.returns", "insights.returnedUnits", "insights.orderedUnits", "insights.rate"],
        products.map((p) => [isolate(p.sku, "code"), number(p.returns), number(p.returnedUnits), number(p.orderedUnits), percent(p.returnRate)]),
      ),
      chart(
        "insights.reasons",
        reasons.map((r) => ({ label: `${r.sku} · ${reasonName(r)}`, value: r.units, shown: number(r.units) })),
        ["insights.sku", "insights.reason", "insights.units"],
        reasons.map((r) => [isolate(r.sku, "code"), reasonName(r), number(r.units)]),
      ),
      chart(
        "insights.outcomes",
        insights.outcomes.map((o) => ({ label: typeName(o), value: Number(o.amount), shown: formatMoney(o.amount, o.currency) })),
        ["insights.type", "insights.refunds", "insights.amount"],
        insights.outcomes.map((o) => [typeName(o), number(o.refunds), money(o.amount, o.currency)]),
      ),
      chart(
        "insights.delays",
        delays.some((d) => d.requests) ? delays.map((d) => ({ label: t(`bucket.${d.bucket}`), value: d.requests, shown: number(d.requests) })) : [],
        ["insights.bucket", "insights.requests", "insights.averageHours"],
        delays.map((d) => [t(`bucket.${d.bucket}`), number(d.requests), number(d.averageHours, 1)]),
      ),
      chart(
        "insights.weekly",
        weeks.map((w) => ({ label: w.weekStart, value: Number(w.amount), shown: formatMoney(w.amount, w.currency) })),
        ["insights.week", "insights.amount"],
        weeks.map((w) => [isolate(w.weekStart, "code"), money(w.amount, w.currency)]),
      ),
    );
  }
}
