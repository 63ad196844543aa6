// One return request, every part of it: items and their quantities, translated reasons and
// conditions, pickup and drop-off, reverse shipments, refunds against the approved value,
// notes and the full history. The action area (actions.js) is kept across live redraws, so
// an operator filling in a form does not lose it when someone else changes the request.
import { fill, h } from "./dom.js";
import { eventName, formatMoney, formatTime, statusName, t } from "./i18n.js";

const dash = () => t("panel.none");

/** "by <name>", the name isolated so a Latin id does not scramble an Arabic line. */
const by = (user, source) =>
  h(
    "small",
    {},
    ` ${t("panel.by", { user: "" }).trim()} `,
    h("bdi", {}, user),
    source ? ` (${source})` : "",
  );

function section(title, ...content) {
  const id = `section-${title.replace(/\W+/g, "-")}`;
  return h("section", { "aria-labelledby": id }, h("h3", { id }, title), ...content);
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

function place(address) {
  if (!address) return dash();
  const lines = [
    address.contactName,
    address.contactPhone,
    address.address1,
    address.address2,
    [address.city, address.country].filter(Boolean).join(", "),
    address.partnerLocationId,
  ].filter(Boolean);
  return h(
    "address",
    {},
    lines.map((line) => h("span", {}, line)),
  );
}

/** A configured code by its name in the operator's language, else the code itself. */
function named(list, code) {
  return (list || []).find((entry) => entry.code === code)?.name ?? code;
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
  return h(
    "div",
    { class: "table-wrap" },
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
            h("th", { scope: "row" }, item.sku),
            h("td", {}, item.description),
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
                ? h("small", {}, ` (${named(names.rejectionReasons, item.rejectionReason)})`)
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
        h("strong", {}, `${s.id} · ${s.carrier} · ${s.status}`),
        facts([
          [t("panel.tracking"), s.trackingNumber],
          [t("panel.label"), s.labelUrl],
          [t("panel.created"), formatTime(s.createdAt)],
          [t("panel.items"), s.items.map((i) => `${i.sku} × ${i.quantity}`).join(", ")],
        ]),
      ),
    ),
  );
}

function refunds(request, actions) {
  const totals = h(
    "table",
    { class: "totals" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["form.currency", "panel.approvedValue", "panel.refunded", "panel.remaining"].map((key) =>
          h("th", { scope: "col" }, t(key)),
        ),
      ),
    ),
    h(
      "tbody",
      {},
      request.refundTotals.map((total) =>
        h(
          "tr",
          { dataset: { currency: total.currency } },
          h("th", { scope: "row" }, total.currency),
          h("td", { class: "num" }, formatMoney(total.approvedValue, total.currency)),
          h("td", { class: "num refunded" }, formatMoney(total.refunded, total.currency)),
          h("td", { class: "num" }, formatMoney(total.remaining, total.currency)),
        ),
      ),
    ),
  );
  const list = request.refunds.length
    ? h(
        "ul",
        { class: "refunds" },
        request.refunds.map((refund) =>
          h(
            "li",
            { dataset: { refund: refund.id } },
            h(
              "bdi",
              {},
              `${formatMoney(refund.amount, refund.currency)} · ${refund.reference ?? ""} ${refund.refundType ?? ""}`,
            ),
            h("time", { datetime: refund.createdAt }, formatTime(refund.createdAt)),
            actions.inline("DELETE_REFUND", { refundId: refund.id }),
          ),
        ),
      )
    : h("p", {}, t("panel.noRefunds"));
  return [request.refundTotals.length ? totals : null, list];
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
        h("p", {}, note.text),
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
export function renderPanel(body, request, actions, names = {}) {
  fill(
    body,
    h(
      "header",
      { class: "panel-head" },
      h("h2", { id: "panel-title", tabindex: "-1" }, request.returnRequestId),
      h(
        "span",
        { class: `badge status-${request.status}`, id: "panel-status" },
        statusName(request.status),
      ),
    ),
    facts([
      [t("panel.merchant"), request.merchant],
      [t("panel.order"), request.orderReference],
      [
        t("panel.created"),
        h("time", { datetime: request.createdAt }, formatTime(request.createdAt)),
      ],
      [t("panel.assigned"), request.assignedToUser || t("queue.unassigned")],
      [t("panel.channel"), request.channel],
      [t("panel.comment"), request.customerComment],
      [t("panel.splitFrom"), request.splitFrom],
      [t("panel.version"), String(request.version)],
    ]),
    actions.element,
    section(t("panel.items"), itemsTable(request, names)),
    h(
      "div",
      { class: "places" },
      section(t("panel.pickup"), place(request.pickup)),
      section(t("panel.dropoff"), place(request.dropoff)),
    ),
    section(t("panel.shipments"), shipments(request)),
    section(t("panel.refunds"), refunds(request, actions)),
    section(t("panel.notes"), notes(request, actions)),
    section(t("panel.history"), history(request)),
  );
}
