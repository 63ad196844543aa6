// The desk once signed in: header, filters with status counts, the live queue and the panel
// of one request. State lives here; queue.js, panel.js and actions.js draw their parts.
// Signing out ends all of it: the feed's socket closes, the session ends on the server, and
// nothing of the operator stays in memory or in the browser's storage.
import { Actions } from "./actions.js";
import { Bulk } from "./bulk.js";
import { fill, h } from "./dom.js";
import {
  language,
  STATUSES,
  setLanguage,
  setTimeZone,
  startOfDay,
  statusName,
  t,
  timeZone,
} from "./i18n.js";
import { InsightsView } from "./insights.js";
import { LiveFeed } from "./live.js";
import { renderPanel } from "./panel.js";
import { openApiKeys } from "./api_keys.js";
import { openAccount, openTeam } from "./team.js";
import { openWebhooks } from "./webhooks.js";
import { openExchanges } from "./exchanges.js";
import { QueueModel, QueueView } from "./queue.js";

const PAGE = 25;
const SORTS = ["NEWEST", "OLDEST", "RECENTLY_UPDATED", "HIGHEST_VALUE", "LOWEST_VALUE"];
const ZONES = [
  "UTC",
  "Asia/Dubai",
  "Asia/Riyadh",
  "Africa/Cairo",
  "Europe/London",
  "America/New_York",
];

export class Desk {
  constructor({ root, config, session, api, start, onSignOut = () => {} }) {
    Object.assign(this, { root, config, session, api, onSignOut });
    this.viewer = start.viewer;
    this.position = start.eventLogPosition;
    this.model = new QueueModel();
    this.filter = {};
    this.status = null;
    this.openId = null;
    this.references = new Map();
    this.timers = {};
    // Each load() starts a generation; an answer to an older one (a tab clicked, then a
    // filter applied before the first answer came) is dropped, so the newest choice wins.
    this.generation = 0;
    this.listening = new AbortController(); // the page-wide listeners, removed on sign-out
    this.mode = "queue";
    this.bulk = new Bulk({
      api,
      model: this.model,
      mayWrite: this.viewer.mayWrite,
      lang: () => language(),
      onRow: (row) => {
        const change = this.model.apply(row);
        if (change) this.view.update(this.model, row.returnRequestId, change);
      },
      reasons: async () => {
        const first = this.model.rows.get([...this.bulk.picked][0]);
        return first ? (await this.reference(first.merchant)).rejectionReasons : [];
      },
    });
    this.insights = new InsightsView({ api });
  }

  async run() {
    this.draw();
    await this.load();
    this.feed = new LiveFeed({
      url: new URL(this.config.graphql, location.href).href.replace(/^http/, "ws"),
      session: this.session,
      api: this.api,
      after: this.position,
      onEvents: (events) => this.receive(events),
      onState: (state) => this.showLive(state),
    });
    await this.feed.start();
    document.addEventListener("keydown", (event) => this.key(event), {
      signal: this.listening.signal,
    });
  }

  /** Close the feed, end the session, forget everything, then hand over to sign-in;
   * `reason` "ended" when the server ended the session first. */
  async signOut(reason = null) {
    if (this.signingOut) return;
    this.signingOut = true;
    this.feed?.stop();
    this.listening.abort();
    Object.values(this.timers).forEach(clearTimeout);
    this.generation += 1; // answers still on their way are dropped
    this.openId = this.shown = this.actions = this.viewer = null;
    this.model.reset({});
    this.references.clear();
    fill(this.root, h("p", { class: "boot", role: "status" }, t("signout.busy")));
    const revoked = await this.session.signOut();
    for (const storage of [localStorage, sessionStorage]) forgetDesk(storage);
    this.onSignOut(reason ?? (revoked ? "done" : "offline"));
  }

  /** The page's frame in the current language; the queue and panel are drawn into it. */
  draw() {
    const zones = ZONES.includes(timeZone()) ? ZONES : [timeZone(), ...ZONES];
    this.live = h(
      "p",
      { id: "live-status", class: "live", role: "status", "aria-live": "polite" },
      t("live.connecting"),
    );
    this.counts = h("div", { class: "tabs", role: "group", "aria-label": t("filters.status") });
    this.total = h("p", { class: "total", "aria-live": "polite" });
    this.list = h("ol", { class: "queue", id: "queue", "aria-label": t("queue.title") });
    this.more = h(
      "button",
      { type: "button", class: "more", hidden: true, onclick: () => this.loadMore() },
      t("queue.more"),
    );
    this.scroller = h("div", { class: "queue-scroll", id: "queue-scroll" }, this.list, this.more);
    this.panel = h("section", {
      class: "panel",
      id: "panel",
      "aria-labelledby": "panel-title",
      hidden: !this.openId,
    });
    fill(
      this.root,
      h(
        "header",
        { class: "top" },
        h("h1", {}, t("app.title")),
        h(
          "nav",
          { class: "modes", "aria-label": t("app.title") },
          ["queue", "insights"].map((mode) =>
            h(
              "button",
              {
                type: "button",
                id: `mode-${mode}`,
                "aria-pressed": this.mode === mode ? "true" : "false",
                onclick: () => this.switchMode(mode),
              },
              t(`nav.${mode}`),
            ),
          ),
        ),
        this.live,
        h(
          "div",
          { class: "who" },
          h(
            "span",
            { id: "operator" },
            t("header.operator", {
              operator: this.session.operator,
              role: t(`role.${this.session.role}`),
            }),
          ),
          this.session.role === "ADMIN"
            ? h(
                "button",
                { type: "button", id: "team", onclick: () => openTeam(this.api) },
                t("team.open"),
              )
            : null,
          this.session.role === "ADMIN"
            ? h(
                "button",
                { type: "button", id: "webhooks", onclick: () => openWebhooks(this.api) },
                t("webhooks.open"),
              )
            : null,
          this.session.role === "ADMIN"
            ? h(
                "button",
                {
                  type: "button",
                  id: "exchanges",
                  onclick: () => openExchanges(this.api, this.filter.merchant ?? ""),
                },
                t("exchanges.open"),
              )
            : null,
          this.session.role === "ADMIN"
            ? h(
                "button",
                { type: "button", id: "api-keys", onclick: () => openApiKeys(this.api) },
                t("apiKeys.open"),
              )
            : null,
          h(
            "button",
            { type: "button", id: "account", onclick: () => openAccount(this.session) },
            t("account.open"),
          ),
          this.select(
            "language",
            t("header.language"),
            [
              ["en", "English"],
              ["ar", "العربية"],
            ],
            language(),
            (v) => this.relabel(() => setLanguage(v)),
          ),
          this.select(
            "timezone",
            t("header.timeZone"),
            zones.map((z) => [z, z]),
            timeZone(),
            (v) => this.relabel(() => setTimeZone(v)),
          ),
          h(
            "button",
            { type: "button", id: "sign-out", class: "sign-out", onclick: () => this.signOut() },
            t("signout"),
          ),
        ),
      ),
      this.viewer.mayWrite
        ? null
        : h("p", { class: "readonly", role: "note" }, t("readonly.banner")),
      this.mode === "insights"
        ? h("main", { class: "layout insights-layout" }, this.insights.draw())
        : h(
            "main",
            { class: "layout" },
            h(
              "div",
              { class: "queue-column" },
              this.filters(),
              this.counts,
              h(
                "div",
                { class: "total-bar" },
                this.total,
                h(
                  "button",
                  { type: "button", id: "export-csv", onclick: () => this.exportCsv() },
                  t("export.csv"),
                ),
              ),
              this.bulk.element,
              h("p", { class: "hint" }, t("queue.help")),
              this.scroller,
            ),
            this.panel,
          ),
    );
    this.view = new QueueView({
      list: this.list,
      scroller: this.scroller,
      onOpen: (id) => this.open(id),
      picked: this.bulk.picked,
      onPick: (id, on) => this.bulk.pick(id, on),
    });
    this.bulk.draw();
    this.view.selected = this.openId;
  }

  select(name, label, options, current, onchange) {
    const id = `pick-${name}`;
    const control = h(
      "select",
      { id, onchange: (event) => onchange(event.target.value) },
      options.map(([value, text]) =>
        h("option", { value, selected: value === current ? "selected" : null }, text),
      ),
    );
    return h("span", { class: "pick" }, h("label", { for: id }, label), control);
  }

  filters() {
    const input = (name, label, type = "text") =>
      h(
        "div",
        { class: "field" },
        h("label", { for: `filter-${name}` }, t(label)),
        h("input", { id: `filter-${name}`, name, type, value: this.filter[`${name}Input`] ?? "" }),
      );
    const sort = h(
      "div",
      { class: "field" },
      h("label", { for: "filter-orderBy" }, t("filters.sort")),
      h(
        "select",
        { id: "filter-orderBy", name: "orderBy" },
        SORTS.map((value) =>
          h(
            "option",
            { value, selected: value === (this.filter.orderBy ?? "NEWEST") ? "selected" : null },
            t(`sort.${value}`),
          ),
        ),
      ),
    );
    const search = h(
      "div",
      { class: "field search" },
      h("label", { for: "filter-search" }, t("filters.search")),
      h("input", {
        id: "filter-search",
        name: "search",
        type: "search",
        value: this.filter.searchInput ?? "",
        placeholder: t("filters.searchHint"),
        "aria-describedby": "filter-search-hint",
      }),
      h("small", { id: "filter-search-hint", class: "hint" }, t("filters.searchHint")),
    );
    const form = h(
      "form",
      { class: "filters", "aria-label": t("filters.title") },
      search,
      sort,
      input("merchant", "filters.merchant"),
      input("assignedTo", "filters.assignee"),
      input("orderReference", "filters.order"),
      input("from", "filters.from", "date"),
      input("until", "filters.to", "date"),
      h(
        "div",
        { class: "buttons" },
        h("button", { type: "submit", class: "primary" }, t("filters.apply")),
        h("button", { type: "reset" }, t("filters.clear")),
      ),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.applyFilters(Object.fromEntries(new FormData(form)));
    });
    form.addEventListener("reset", () => setTimeout(() => this.applyFilters({}), 0));
    return form;
  }

  applyFilters(values) {
    const next = {};
    for (const key of ["search", "merchant", "assignedTo", "orderReference"]) {
      if (values[key]?.trim()) next[key] = values[key].trim();
      next[`${key}Input`] = values[key] ?? "";
    }
    next.fromInput = values.from ?? "";
    next.untilInput = values.until ?? "";
    if (values.orderBy && values.orderBy !== "NEWEST") next.orderBy = values.orderBy;
    if (values.from) next.createdAfter = startOfDay(values.from);
    if (values.until) {
      const day = new Date(`${values.until}T00:00:00Z`);
      day.setUTCDate(day.getUTCDate() + 1);
      next.createdBefore = startOfDay(day.toISOString().slice(0, 10));
    }
    this.filter = next;
    this.load();
  }

  /** The API's filter: the form's values, plus the status tab unless counting the tabs. */
  apiFilter(withStatus = true) {
    const { search, merchant, assignedTo, orderReference, createdAfter, createdBefore } =
      this.filter;
    const filter = { search, merchant, assignedTo, orderReference, createdAfter, createdBefore };
    if (withStatus && this.status) filter.status = [this.status];
    return Object.fromEntries(Object.entries(filter).filter(([, v]) => v));
  }

  async load() {
    const generation = ++this.generation;
    const data = await this.api.query("Queue", {
      first: PAGE,
      filter: this.apiFilter(),
      countFilter: this.apiFilter(false),
      orderBy: this.filter.orderBy ?? "NEWEST",
    });
    if (generation !== this.generation) return;
    this.model.reset({ ...this.apiFilter(), status: this.status, orderBy: this.filter.orderBy });
    this.model.addPage(data.returnRequests);
    this.view.render(this.model);
    this.showCounts(data.returnStatusCounts);
    this.more.hidden = !this.model.hasNext;
  }

  async loadMore() {
    const generation = this.generation;
    const data = await this.api.query("Queue", {
      first: PAGE,
      after: this.model.endCursor,
      filter: this.apiFilter(),
      countFilter: this.apiFilter(false),
      orderBy: this.filter.orderBy ?? "NEWEST",
    });
    if (generation !== this.generation) return;
    this.model.addPage(data.returnRequests);
    this.view.render(this.model);
    this.showCounts(data.returnStatusCounts);
    this.more.hidden = !this.model.hasNext;
  }

  showCounts(counts) {
    this.lastCounts = counts;
    const all = counts.reduce((sum, c) => sum + c.count, 0);
    const tab = (status, label, count) =>
      h(
        "button",
        {
          type: "button",
          class: "tab",
          dataset: { status: status ?? "ALL", count },
          "aria-pressed": this.status === status ? "true" : "false",
          onclick: () => {
            this.status = status;
            this.load();
          },
        },
        label,
        " ",
        h("span", { class: "count" }, String(count)),
      );
    fill(
      this.counts,
      tab(null, t("filters.all"), all),
      STATUSES.map((s) => tab(s, statusName(s), counts.find((c) => c.status === s)?.count ?? 0)),
    );
    const shown = this.status ? (counts.find((c) => c.status === this.status)?.count ?? 0) : all;
    fill(this.total, t("queue.total", { count: shown }));
  }

  /** Live events: rows move at once; the counts and the open panel follow right after. */
  receive(events) {
    for (const event of events) {
      const row = event.returnRequest;
      if (row) {
        const change = this.model.apply(row);
        if (change) this.view.update(this.model, row.returnRequestId, change);
      }
      if (event.returnRequestId === this.openId || this.showsAccountOf(event)) {
        this.later("panel", () => this.refreshPanel());
      }
      const born = event.eventType === "ReturnSplit" && event.payload?.new_return_request_id;
      if (born) this.fetchRow(born).catch(() => {});
    }
    if (this.mode === "insights") this.later("insights", () => this.insights.load());
    this.later("counts", async () => {
      const generation = this.generation;
      const data = await this.api.query("Counts", { filter: this.apiFilter(false) });
      if (generation === this.generation) this.showCounts(data.returnStatusCounts);
    });
    this.live.dataset.position = this.feed.position.toString();
  }

  /** A store-credit move outside the open request (a storefront's debit, an adjustment)
   * names the account instead: the panel shows that account's balance, so it follows. */
  showsAccountOf(event) {
    const account = event.eventType.startsWith("StoreCredit") && event.payload?.account_id;
    return Boolean(
      account && this.shown?.storeCreditAccounts?.some((shown) => shown.accountId === account),
    );
  }

  /** A request that arrived without an event of its own (a split's new one). */
  async fetchRow(id) {
    const data = await this.api.query("QueueRow", { id });
    const row = data.returnRequest;
    const change = row && this.model.apply(row);
    if (change) this.view.update(this.model, row.returnRequestId, change);
  }

  later(name, task) {
    clearTimeout(this.timers[name]);
    this.timers[name] = setTimeout(
      () => task().catch((error) => console.warn(`desk: ${name} not refreshed`, error)),
      50,
    );
  }

  showLive({ state, attempt, wait, resumed, position }) {
    this.live.dataset.state = state;
    this.live.dataset.resumedAfter = this.feed?.resumedAfter.join(",") ?? "";
    const text = {
      connecting: t("live.connecting"),
      live: resumed ? t("live.resumed", { position }) : t("live.live"),
      lost: t("live.lost", { seconds: Math.ceil((wait ?? 0) / 1000), attempt }),
    }[state];
    fill(this.live, text);
  }

  async open(id) {
    this.openId = id;
    this.view.select(id);
    this.actions = new Actions({
      api: this.api,
      mayWrite: this.viewer.mayWrite,
      operator: this.session.operator,
      reference: (merchant) => this.reference(merchant),
      onResult: (request) => this.showPanel(request),
    });
    this.panel.hidden = false;
    fill(this.panel, h("p", {}, t("panel.loading")));
    await this.refreshPanel();
    this.panel.querySelector("#panel-title")?.focus();
  }

  async refreshPanel() {
    const id = this.openId;
    if (!id) return;
    const data = await this.api.query("ReturnDetail", { id, lang: language() });
    if (id !== this.openId) return;
    if (!data.returnRequest) {
      fill(this.panel, h("p", {}, t("panel.gone")));
      return;
    }
    await this.showPanel(data.returnRequest);
  }

  async showPanel(request) {
    if (request.returnRequestId !== this.openId) return;
    const names = await this.reference(request.merchant).catch(() => ({}));
    if (request.returnRequestId !== this.openId) return;
    if (
      this.shown &&
      this.shown.returnRequestId === request.returnRequestId &&
      this.shown.version > request.version
    )
      return;
    const focused = this.focusInPanel();
    this.shown = request;
    this.actions.show(request);
    const close = h(
      "button",
      { type: "button", class: "close", onclick: () => this.close() },
      t("panel.close"),
    );
    const body = h("div", { class: "panel-body" });
    renderPanel(body, request, this.actions, names, this.session);
    fill(this.panel, close, body);
    if (focused) this.giveFocusBack(focused);
    // The operator's own change shows in the queue at once, before its event arrives.
    const change = this.model.apply(request);
    if (change) this.view.update(this.model, request.returnRequestId, change);
  }

  /** What has focus in the panel: a redraw moves or replaces the panel's elements, and the
   * browser would drop focus to the page body. */
  focusInPanel() {
    const element = document.activeElement;
    if (!element || !this.panel.contains(element)) return null;
    const { selectionStart: start = null, selectionEnd: end = null } = element;
    const action = element.closest(".toolbar") ? element.dataset.action : null;
    return { element, start, end, action, id: element.id, close: element.matches("button.close") };
  }

  /** The same element when it survived the redraw (an open form's field, with its caret);
   * else its like (the same action's button), the first action, or the request's row. */
  giveFocusBack({ element, start, end, action, id, close }) {
    if (element.isConnected && element !== document.body) {
      element.focus({ preventScroll: true });
      if (start !== null && element.setSelectionRange) element.setSelectionRange(start, end);
      return;
    }
    const toolbar = this.panel.querySelector(".toolbar");
    const like =
      (id && this.panel.querySelector(`#${CSS.escape(id)}`)) ||
      (close && this.panel.querySelector("button.close")) ||
      (action && toolbar?.querySelector(`button[data-action=${action}]`)) ||
      toolbar?.querySelector("button");
    if (like) like.focus({ preventScroll: true });
    else this.view.focusRow(this.openId);
  }

  close() {
    const id = this.openId;
    this.openId = null;
    this.shown = null;
    this.panel.hidden = true;
    fill(this.panel);
    this.view.select(null);
    this.view.focusRow(id);
  }

  async reference(merchant) {
    const key = `${merchant}:${language()}`;
    if (!this.references.has(key)) {
      this.references.set(key, this.api.query("ReferenceData", { merchant, lang: language() }));
    }
    return this.references.get(key);
  }

  /** The list as it is filtered and sorted, as a CSV file the browser saves. */
  async exportCsv() {
    const query = new URLSearchParams();
    const filter = this.apiFilter();
    for (const [key, value] of Object.entries(filter)) {
      query.set(key, Array.isArray(value) ? value.join(",") : value);
    }
    query.set("orderBy", this.filter.orderBy ?? "NEWEST");
    const response = await fetch(`${this.config.export}?${query}`, {
      headers: await this.session.headers(),
    });
    if (!response.ok) {
      fill(this.total, t("export.failed"));
      return;
    }
    const link = h("a", {
      href: URL.createObjectURL(await response.blob()),
      download: "returns.csv",
      hidden: true,
    });
    document.body.append(link);
    link.click();
    link.remove();
  }

  /** The queue or the insights page; the filters, the panel and the feed stay as they are. */
  switchMode(mode) {
    if (mode === this.mode) return;
    this.mode = mode;
    if (mode === "insights" && !this.insights.form.merchant) {
      const first = this.model.rows.get(this.model.order[0]);
      this.insights.form.merchant = this.filter.merchant ?? first?.merchant ?? "";
    }
    this.relabel(() => {});
    document.getElementById(`mode-${mode}`)?.focus();
  }

  /** Escape closes the panel (or its form first) and puts focus back on the row. */
  key(event) {
    if (event.key !== "Escape" || !this.openId) return;
    if (this.actions?.form) this.actions.close();
    else this.close();
  }

  /** Language or time zone changed: draw everything again, keeping filters and panel. */
  relabel(change) {
    change();
    localStorage.setItem("desk.language", language());
    localStorage.setItem("desk.timeZone", timeZone());
    const state = this.live.dataset;
    this.draw();
    Object.assign(this.live.dataset, state);
    this.showLive({ state: state.state ?? "live" });
    this.view.render(this.model);
    if (this.lastCounts) this.showCounts(this.lastCounts);
    this.more.hidden = !this.model.hasNext;
    if (this.openId) this.open(this.openId);
    if (this.mode === "insights") this.insights.load().catch((e) => console.warn("insights", e));
  }
}

/** The desk's own keys (language, time zone): a signed-out desk leaves nothing behind. */
function forgetDesk(storage) {
  for (const key of Object.keys(storage)) {
    if (key.startsWith("desk.")) storage.removeItem(key);
  }
}
