// One return request, every part of it: items and their quantities, translated reasons and
// conditions, pickup and drop-off, reverse shipments, refunds against the approved value,
// notes and the full history. The action area (actions.js) is kept across live redraws, so
// an operator filling in a form does not lose it when someone else changes the request.
import { fill, h, isolate } from "./dom.js";
import { eventName, formatMoney, formatPercent, formatTime, statusName, t } from "./i18n.js";
import { photoStrip } from "./photos.js";

const dash = () => t("panel.none");

/** "by <name>", the name isolated so a Latin id does not scramble an Arabic line. */
const by = (user, source) =>
  h(
    "small",
    {},
    ` ${t("panel.by", { user: "" }).trim()} `,
    isolate(user),
    source ? ` (${source})` : "",
  );

/** A titled part of the panel; its id comes from the message key, the same in any language
 * (an Arabic title has no \w characters to make one from). */
function section(key, ...content) {
  const id = `section-${key.replace(/\W+/g, "-")}`;
  return h("section", { "aria-labelledby": id }, h("h3", { id }, t(key)), ...content);
}

function facts(pairs) {
  return h(
    "dl",
    { class: "facts" },
    pairs
      .filter(([, value]) => value !== null && value !== undefined && value !== "")
      .map(([label, value]) => [h("dt", {}, label), h("dd", {}, value)]),
  );
}

/** An address, or a merchant location by its name and address (its code kept aside). */
function place(address, locations) {
  if (!address) return dash();
  const code = address.partnerLocationId;
  const location = code && (locations || []).find((entry) => entry.code === code);
  const shown = location ? { ...location.address, ...withoutBlanks(address) } : address;
  const lines = [
    location ? isolate(location.name, "text", { class: "location" }) : null,
    shown.contactName && isolate(shown.contactName),
    shown.contactPhone && isolate(shown.contactPhone, "code", { class: "phone" }),
    shown.contactEmail && isolate(shown.contactEmail, "code", { class: "email" }),
    shown.address1 && isolate(shown.address1),
    shown.address2 && isolate(shown.address2),
    [shown.city, shown.country].filter(Boolean).join(", ") || null,
    code && !location ? isolate(code, "code", { class: "location" }) : null,
  ].filter(Boolean);
  return h(
    "address",
    { dataset: code ? { location: code } : {} },
    lines.map((line) => h("span", {}, line)),
  );
}

function withoutBlanks(address) {
  return Object.fromEntries(Object.entries(address).filter(([, value]) => value));
}

/** Where the parcel starts (a courier's pickup, or the customer's drop-off at a location)
 * and where it goes, each under its own heading. */
function places(request, names) {
  const dropsOff = Boolean(request.pickup?.partnerLocationId);
  return h(
    "div",
    { class: "places" },
    section(
      dropsOff ? "panel.dropoff" : "panel.pickup",
      place(request.pickup, names.pickupLocations),
    ),
    section("panel.destination", place(request.dropoff, names.pickupLocations)),
  );
}

/** A configured code by its name in the operator's language, else the code itself. */
function named(list, code) {
  const name = (list || []).find((entry) => entry.code === code)?.name;
  return name ? isolate(name, "text", { title: code }) : isolate(code, "code");
}

const money = (amount, currency) => isolate(formatMoney(amount, currency), "money");

/** A table that may scroll sideways in a narrow panel: its scroller takes the keyboard's focus
 * (arrow keys scroll it) and is named for what it holds. */
function scroller(key, table) {
  return h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": t(key) }, table);
}

function itemsTable(request, names) {
  const head = [
    "sku",
    "description",
    "reason",
    "condition",
    "requested",
    "approved",
    "rejected",
    "received",
  ];
  return scroller(
    "panel.items",
    h(
      "table",
      { class: "items" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          head.map((key) => h("th", { scope: "col" }, t(`panel.${key}`))),
        ),
      ),
      h(
        "tbody",
        {},
        request.items.map((item) =>
          h(
            "tr",
            { dataset: { sku: item.sku } },
            h("th", { scope: "row" }, isolate(item.sku, "code")),
            h("td", {}, item.description && isolate(item.description)),
            h(
              "td",
              { class: "reason" },
              item.reason?.name ?? item.reasonCode ?? dash(),
              item.comment ? h("small", {}, ` — ${item.comment}`) : null,
            ),
            h(
              "td",
              { class: "condition" },
              item.itemCondition?.name ?? item.itemConditionCode ?? dash(),
            ),
            h("td", { class: "num requested" }, item.quantity),
            h("td", { class: "num approved" }, item.approvedQuantity),
            h(
              "td",
              { class: "num rejected" },
              item.rejectedQuantity,
              item.rejectionReason
                ? h("small", {}, " (", named(names.rejectionReasons, item.rejectionReason), ")")
                : null,
            ),
            h("td", { class: "num received" }, item.receivedQuantity),
          ),
        ),
      ),
    ),
  );
}

function shipments(request) {
  if (!request.reverseShipments.length) return h("p", {}, t("panel.noShipments"));
  return h(
    "ul",
    { class: "shipments" },
    request.reverseShipments.map((s) =>
      h(
        "li",
        {},
        h("strong", {}, isolate(s.id, "code"), " · ", isolate(s.carrier), " · ", s.status),
        facts([
          [t("panel.tracking"), s.trackingNumber && isolate(s.trackingNumber, "code")],
          [t("panel.label"), s.labelUrl && isolate(s.labelUrl, "code", { class: "url" })],
          [t("panel.created"), formatTime(s.createdAt)],
          [
            t("panel.items"),
            s.items.map((i, n) => [n ? ", " : "", isolate(i.sku, "code"), ` × ${i.quantity}`]),
          ],
        ]),
      ),
    ),
  );
}

/** One refund: its amount, then reference, type and date each under its own label. */
function refund(entry, actions, names) {
  const part = (name, label, value) =>
    value ? h("div", { dataset: { part: name } }, h("dt", {}, label), h("dd", {}, value)) : null;
  const at = entry.refundDate ?? entry.createdAt;
  const type = entry.refundType;
  return h(
    "li",
    { dataset: { refund: entry.id } },
    isolate(formatMoney(entry.amount, entry.currency), "money", { class: "amount" }),
    actions.inline("DELETE_REFUND", { refundId: entry.id }),
    h(
      "dl",
      { class: "refund-parts" },
      part("reference", t("form.reference"), entry.reference && isolate(entry.reference, "code")),
      part("outcome", t("refund.outcome"), t(`outcome.${entry.outcome}`)),
      part("type", t("form.refundType"), type && named(names.refundTypes, type)),
      part("date", t("panel.date"), h("time", { datetime: at }, formatTime(at))),
      part("note", t("form.note"), entry.note && isolate(entry.note)),
    ),
  );
}

/** Where the money stands per currency (`balance`): approved value, fees, refunded, issued
 * as store credit, and what may still go back to the customer; with exchange lines, their
 * total, the difference due (above zero the customer owes it) and what the customer paid. */
function balance(request) {
  const exchanging = (request.exchangeLines || []).length > 0;
  const columns = [
    ["approvedValue", "panel.approvedValue"],
    ["fees", "panel.fees"],
    ...(exchanging
      ? [
          ["exchangeTotal", "panel.exchangeTotal"],
          ["differenceDue", "panel.differenceDue"],
          ["paid", "panel.paid"],
        ]
      : []),
    ["refunded", "panel.refunded"],
    ["credited", "panel.credited"],
    ["remaining", "panel.remaining"],
  ];
  return h(
    "table",
    { class: "totals" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, t("form.currency")),
        columns.map(([, key]) => h("th", { scope: "col" }, t(key))),
      ),
    ),
    h(
      "tbody",
      {},
      request.balance.map((total) =>
        h(
          "tr",
          { dataset: { currency: total.currency } },
          h("th", { scope: "row" }, isolate(total.currency, "code")),
          columns.map(([name]) =>
            h("td", { class: `num ${name}` }, money(total[name], total.currency)),
          ),
        ),
      ),
    ),
  );
}

/** A fee in words: its kind, and the item of a per-item fee. */
export function feeLabel(fee) {
  return [t(`fee.kind.${fee.kind}`), fee.sku ? ` · ${fee.sku}` : ""].join("");
}

function feeBasis(fee) {
  const basis = t(`fee.basis.${fee.basis}`);
  if (fee.rate == null) return basis;
  const rate =
    fee.basis === "FLAT" ? formatMoney(fee.rate, fee.currency) : formatPercent(fee.rate);
  return [basis, " · ", isolate(rate, "money")];
}

/** Whether the fee takes its amount, and who changed it by hand and why. */
function feeState(fee) {
  if (fee.waived) {
    return h(
      "span",
      { class: "waived" },
      h("strong", {}, t("fee.waived")),
      fee.waivedReason ? [" — ", isolate(fee.waivedReason)] : null,
      fee.waivedBy ? by(fee.waivedBy) : null,
      fee.waivedAt
        ? [" · ", h("small", {}, h("time", { datetime: fee.waivedAt }, formatTime(fee.waivedAt)))]
        : null,
    );
  }
  return h(
    "span",
    { class: "charged" },
    t("fee.charged"),
    fee.setByHand && fee.setBy
      ? [" — ", t("fee.setByHand"), fee.setReason ? [": ", isolate(fee.setReason)] : null, by(fee.setBy)]
      : null,
  );
}

function fees(request, actions) {
  if (!request.fees.length) return h("p", {}, t("panel.noFees"));
  return scroller(
    "panel.fees",
    h(
      "table",
      { class: "fees" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["fee.fee", "fee.basis", "fee.amount", "fee.charge", "fee.state"].map((key) =>
            h("th", { scope: "col" }, t(key)),
          ),
          h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, t("panel.actions"))),
        ),
      ),
      h(
        "tbody",
        {},
        request.fees.map((fee) =>
          h(
            "tr",
            { dataset: { fee: fee.id, waived: String(fee.waived) } },
            h(
              "th",
              { scope: "row" },
              t(`fee.kind.${fee.kind}`),
              fee.sku ? [" · ", isolate(fee.sku, "code")] : null,
            ),
            h("td", { class: "basis" }, feeBasis(fee)),
            h("td", { class: "num amount" }, money(fee.amount, fee.currency)),
            h("td", { class: "num charged" }, money(fee.charged, fee.currency)),
            h("td", { class: "state" }, feeState(fee)),
            h("td", { class: "act" }, actions.waive(fee, feeLabel(fee))),
          ),
        ),
      ),
    ),
  );
}

/** The customer's store credit with this merchant, one balance per currency. */
function storeCredit(request) {
  const accounts = request.storeCreditAccounts || [];
  if (!accounts.length) return h("p", {}, t("panel.noStoreCredit"));
  return h(
    "dl",
    { class: "facts store-credit" },
    accounts.map((account) => [
      h("dt", {}, isolate(account.currency, "code")),
      h(
        "dd",
        { dataset: { account: account.accountId, currency: account.currency } },
        money(account.balance, account.currency),
      ),
    ]),
  );
}

function refunds(request, actions, names) {
  const totals = balance(request);
  const list = request.refunds.length
    ? h(
        "ul",
        { class: "refunds" },
        request.refunds.map((entry) => refund(entry, actions, names)),
      )
    : h("p", {}, t("panel.noRefunds"));
  return [request.balance.length ? totals : null, list];
}

const EXCHANGE_HEAD = ["line", "item", "replaces", "quantity", "unitPrice", "total", "state"];

/** A variant's options as the shop names them: "size: M · colour: Blue". */
function options(variant) {
  const list = variant?.options || [];
  return list.length ? list.map((o) => `${o.name}: ${o.value}`).join(" · ") : null;
}

/** Where a line stands beyond its status: the tracking of its outbound parcel, or what it
 * was converted into. */
function exchangeState(line) {
  const shipped = line.fulfilment;
  return h(
    "td",
    { class: "state" },
    h("span", { class: `badge exchange-${line.status}` }, t(`exchange.status.${line.status}`)),
    shipped
      ? h(
          "small",
          { class: "shipped" },
          " ",
          t("exchange.shipped", { tracking: "" }).trim(),
          " ",
          isolate(shipped.trackingNumber, "code"),
          shipped.carrier ? [" · ", isolate(shipped.carrier)] : null,
        )
      : null,
    line.convertedTo
      ? h("small", {}, " ", t("exchange.convertedTo", { outcome: t(`outcome.${line.convertedTo}`) }))
      : null,
  );
}

/** The variants the customer takes instead of returned units, each with its own status,
 * then where the difference stands: what the customer owes, or what goes back to them. */
function exchanges(request) {
  const lines = request.exchangeLines || [];
  if (!lines.length) return null;
  const table = scroller(
    "panel.exchanges",
    h(
      "table",
      { class: "exchanges" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          EXCHANGE_HEAD.map((key) => h("th", { scope: "col" }, t(`exchange.${key}`))),
        ),
      ),
      h(
        "tbody",
        {},
        lines.map((line) =>
          h(
            "tr",
            { dataset: { line: line.lineId, status: line.status } },
            h("th", { scope: "row" }, isolate(line.lineId, "code")),
            h(
              "td",
              { class: "item" },
              isolate(line.sku, "code"),
              line.title ? [" · ", isolate(line.title)] : null,
              options(line.variant) ? h("small", { class: "options" }, isolate(options(line.variant))) : null,
            ),
            h("td", { class: "replaces" }, isolate(line.replacesSku, "code")),
            h("td", { class: "num quantity" }, line.quantity),
            h("td", { class: "num" }, money(line.unitPrice, line.currency)),
            h("td", { class: "num line-total" }, money(line.total, line.currency)),
            exchangeState(line),
          ),
        ),
      ),
    ),
  );
  return section("panel.exchanges", table, difference(request), payments(request));
}

/** What is still open of the difference, per currency: what the customer owes beyond what
 * they paid, or (the difference below zero) what may still go back to them. */
function difference(request) {
  const lines = request.balance
    .map((total) => {
      const due = Number(total.differenceDue ?? 0);
      if (due > 0 && due - Number(total.paid ?? 0) > 0) {
        return ["exchange.customerOwes", due - Number(total.paid ?? 0), total];
      }
      if (due < 0 && Number(total.remaining) > 0) {
        return ["exchange.merchantOwes", Number(total.remaining), total];
      }
      return null;
    })
    .filter(Boolean)
    .map(([key, open, total]) => {
      const [before, after] = t(key, { amount: "\u0000" }).split("\u0000");
      return h(
        "p",
        { class: "difference", dataset: { currency: total.currency } },
        before,
        money(open, total.currency),
        after,
      );
    });
  return lines.length ? lines : null;
}

function payments(request) {
  const list = request.exchangePayments || [];
  if (!list.length) return null;
  return [
    h("h4", {}, t("exchange.payments")),
    h(
      "ul",
      { class: "exchange-payments" },
      list.map((payment) =>
        h(
          "li",
          {},
          money(payment.amount, payment.currency),
          payment.reference ? [" · ", isolate(payment.reference, "code")] : null,
          " · ",
          h("time", { datetime: payment.recordedAt }, formatTime(payment.recordedAt)),
        ),
      ),
    ),
  ];
}

function notes(request, actions) {
  if (!request.notes.length) return h("p", {}, t("panel.noNotes"));
  return h(
    "ul",
    { class: "notes" },
    request.notes.map((note) =>
      h(
        "li",
        { dataset: { note: note.id } },
        h("p", { dir: "auto" }, note.text),
        note.user ? by(note.user) : null,
        " · ",
        h("small", {}, h("time", { datetime: note.createdAt }, formatTime(note.createdAt))),
        actions.inline("DELETE_NOTE", { noteId: note.id }),
      ),
    ),
  );
}

function history(request) {
  return h(
    "ol",
    { class: "history" },
    request.events.map((event) =>
      h(
        "li",
        { dataset: { position: event.position } },
        h("time", { datetime: event.occurredAt }, formatTime(event.occurredAt)),
        " ",
        h("strong", {}, eventName(event.eventType)),
        event.newStatus
          ? ` ${event.previousStatus ? statusName(event.previousStatus) : ""} → ${statusName(event.newStatus)}`
          : "",
        event.actor?.user ? by(event.actor.user, event.actor.source) : "",
      ),
    ),
  );
}

/** Draw the request into `body`, keeping the `actions` element (and any open form) as is. */
/** The customer's photos, item by item (only items that have any). */
function photos(request, session) {
  const withPhotos = request.items.filter((item) => item.imageUrls?.length);
  if (!withPhotos.length || !session) return null;
  return section(
    "photos.title",
    withPhotos.map((item) =>
      h(
        "div",
        { class: "item-photos", dataset: { sku: item.sku } },
        h("p", {}, isolate(item.sku, "code"), item.description ? [" · ", isolate(item.description)] : null),
        photoStrip(item, session),
      ),
    ),
  );
}

export function renderPanel(body, request, actions, names = {}, session = null) {
  fill(
    body,
    h(
      "header",
      { class: "panel-head" },
      h(
        "h2",
        { id: "panel-title", tabindex: "-1" },
        isolate(request.returnRequestId, "code", { class: "rid" }),
      ),
      h(
        "span",
        { class: `badge status-${request.status}`, id: "panel-status" },
        statusName(request.status),
      ),
    ),
    facts([
      [t("panel.merchant"), isolate(request.merchant)],
      [t("panel.order"), isolate(request.orderReference, "code", { class: "order" })],
      [t("panel.customer"), request.order?.customer?.name && isolate(request.order.customer.name)],
      [t("panel.value"), request.value != null && request.currency && money(request.value, request.currency)],
      [
        t("panel.created"),
        h("time", { datetime: request.createdAt }, formatTime(request.createdAt)),
      ],
      [
        t("panel.assigned"),
        request.assignedToUser ? isolate(request.assignedToUser) : t("queue.unassigned"),
      ],
      [t("panel.channel"), request.channel && isolate(request.channel, "code")],
      [
        t("panel.resolution"),
        request.resolutionCode && named(names.resolutions, request.resolutionCode),
      ],
      [t("panel.comment"), request.customerComment && isolate(request.customerComment)],
      [t("panel.splitFrom"), request.splitFrom && isolate(request.splitFrom, "code")],
      [t("panel.version"), String(request.version)],
    ]),
    actions.element,
    section("panel.items", itemsTable(request, names)),
    exchanges(request),
    photos(request, session),
    places(request, names),
    section("panel.shipments", shipments(request)),
    section("panel.fees", fees(request, actions)),
    section("panel.refunds", refunds(request, actions, names)),
    section("panel.storeCredit", storeCredit(request)),
    section("panel.notes", notes(request, actions)),
    section("panel.history", history(request)),
  );
}
