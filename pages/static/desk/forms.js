// What each action asks for and what it sends: one entry per ReturnAction. `fields` describes
// the form from the request as the operator sees it; `input` turns the values back into the
// mutation's input, and `rename` maps a userError's field (items[k] of what was sent) to the
// form field that caused it (items[j] of the form).
import { STATUSES, statusName, t } from "./i18n.js";

const codes = (list) => (list || []).map((c) => ({ value: c.code, label: c.name }));

function perItem(request, name, label, value, max, extra = () => []) {
  return request.items
    .map((item, index) => [
      {
        name: `items[${index}].${name}`,
        label: `${label} · ${item.sku}`,
        kind: "number",
        min: 0,
        max: max(item),
        value: value(item),
        sku: item.sku,
      },
      ...extra(item, index),
    ])
    .flat();
}

/** The listed items whose quantity is above zero, and where each came from in the form. */
function chosen(request, values, extra = () => ({})) {
  const items = [];
  const rename = {};
  request.items.forEach((item, index) => {
    const quantity = Number(values[`items[${index}].quantity`] || 0);
    if (quantity > 0) {
      rename[`items[${items.length}]`] = `items[${index}]`;
      items.push({ sku: item.sku, quantity, ...extra(index) });
    }
  });
  return { items, rename };
}

const text = (name, label, extra = {}) => ({ name, label: t(label), kind: "text", ...extra });
const optional = (value) => (value === "" || value === undefined ? null : value);

export const FORMS = {
  APPROVE: {
    document: "ApproveReturn",
    fields: (request, ref) => [
      ...perItem(
        request,
        "quantity",
        t("form.approveQuantity"),
        (i) => i.quantity,
        (i) => i.quantity,
      ),
      {
        name: "rejectionReason",
        label: t("form.rejectionReason"),
        kind: "select",
        options: codes(ref.rejectionReasons),
        free: true,
      },
    ],
    input: (request, values) => {
      const everything = request.items.every(
        (item, index) => Number(values[`items[${index}].quantity`]) === item.quantity,
      );
      if (everything) return { input: { rejectionReason: optional(values.rejectionReason) } };
      const { items, rename } = chosen(request, values);
      return { input: { items, rejectionReason: optional(values.rejectionReason) }, rename };
    },
  },
  REJECT: {
    document: "RejectReturn",
    fields: (request, ref) => [
      {
        name: "reason",
        label: t("form.reason"),
        kind: "select",
        options: codes(ref.rejectionReasons),
        free: true,
        required: true,
      },
    ],
    input: (request, values) => ({ input: { reason: values.reason } }),
  },
  HOLD: {
    document: "HoldReturn",
    fields: () => [text("reason", "form.reason")],
    input: (request, values) => ({ input: { reason: optional(values.reason) } }),
  },
  RESUME: { document: "ResumeReturn", fields: () => [], input: () => ({ input: {} }) },
  CANCEL: {
    document: "CancelReturn",
    fields: () => [text("reason", "form.reason")],
    input: (request, values) => ({ input: { reason: optional(values.reason) } }),
  },
  COMPLETE: { document: "CompleteReturn", fields: () => [], input: () => ({ input: {} }) },
  RECEIVE: {
    document: "ReceiveReturn",
    fields: (request, ref) =>
      perItem(
        request,
        "quantity",
        t("form.receiveQuantity"),
        (i) => i.approvedQuantity - i.receivedQuantity,
        (i) => i.approvedQuantity - i.receivedQuantity,
        (item, index) => [
          {
            name: `items[${index}].itemCondition`,
            label: `${t("form.condition")} · ${item.sku}`,
            kind: "select",
            options: codes(ref.itemConditions),
            free: true,
          },
        ],
      ),
    input: (request, values) => {
      const { items, rename } = chosen(request, values, (index) => ({
        itemCondition: optional(values[`items[${index}].itemCondition`]),
      }));
      return { input: { items }, rename };
    },
  },
  SPLIT: {
    document: "SplitReturn",
    fields: (request) =>
      perItem(
        request,
        "quantity",
        t("form.splitQuantity"),
        () => 0,
        (i) => i.quantity,
      ),
    input: (request, values) => {
      const { items, rename } = chosen(request, values);
      return { input: { items }, rename };
    },
  },
  ASSIGN: {
    document: "AssignReturn",
    fields: (request, ref, operator) => [
      text("user", "form.user", { value: request.assignedToUser || operator }),
    ],
    input: (request, values) => ({ input: { user: optional(values.user?.trim()) } }),
  },
  ADD_NOTE: {
    document: "AddReturnNote",
    fields: () => [{ name: "text", label: t("form.note"), kind: "textarea", required: true }],
    input: (request, values) => ({ input: { text: values.text } }),
  },
  ADD_REFUND: {
    document: "AddRefund",
    fields: (request, ref) => {
      const remaining = request.refundTotals[0];
      return [
        text("amount", "form.amount", {
          required: true,
          value: remaining?.remaining ?? "",
          inputmode: "decimal",
        }),
        text("currency", "form.currency", {
          required: true,
          value: remaining?.currency ?? request.items[0]?.currency ?? "",
        }),
        text("reference", "form.reference"),
        {
          name: "refundType",
          label: t("form.refundType"),
          kind: "select",
          options: codes(ref.refundTypes),
          free: true,
        },
        text("note", "form.note"),
      ];
    },
    input: (request, values) => ({
      input: {
        amount: values.amount,
        currency: values.currency,
        reference: optional(values.reference),
        refundType: optional(values.refundType),
        note: optional(values.note),
      },
    }),
  },
  SET_STATUS: {
    document: "SetReturnStatus",
    fields: (request) => [
      {
        name: "status",
        label: t("form.status"),
        kind: "select",
        required: true,
        options: STATUSES.filter((s) => s !== request.status).map((s) => ({
          value: s,
          label: statusName(s),
        })),
      },
      text("reason", "form.reason"),
    ],
    input: (request, values) => ({
      input: { status: values.status, reason: optional(values.reason) },
    }),
  },
  UPDATE_SHIPMENT: {
    document: "UpdateReverseShipment",
    fields: (request) => {
      const open = request.reverseShipments[request.reverseShipments.length - 1];
      return [
        text("trackingNumber", "form.tracking", { value: open?.trackingNumber ?? "" }),
        text("carrier", "form.carrier", { value: open?.carrier ?? "" }),
        text("labelUrl", "form.labelUrl", { value: open?.labelUrl ?? "" }),
        { name: "inTransit", label: t("form.inTransit"), kind: "checkbox" },
      ];
    },
    input: (request, values) => ({
      input: {
        trackingNumber: optional(values.trackingNumber),
        carrier: optional(values.carrier),
        labelUrl: optional(values.labelUrl),
        inTransit: Boolean(values.inTransit),
      },
    }),
  },
  UPDATE: {
    document: "UpdateReturn",
    fields: (request) => [
      ...perItem(
        request,
        "quantity",
        t("form.quantity"),
        (i) => i.quantity,
        () => null,
      ),
      {
        name: "customerComment",
        label: t("form.customerComment"),
        kind: "textarea",
        value: request.customerComment ?? "",
      },
    ],
    input: (request, values) => {
      const { items, rename } = chosen(request, values, (index) => {
        const item = request.items[index];
        return {
          reasonCode: item.reasonCode,
          comment: item.comment,
          commentCodes: item.commentCodes,
          imageUrls: item.imageUrls,
          itemCondition: item.itemConditionCode,
          resolution: item.resolutionCode,
          refundType: item.refundTypeCode,
        };
      });
      return { input: { items, customerComment: optional(values.customerComment) }, rename };
    },
  },
  // Exchanges: release early, record what the customer paid of the difference, record the
  // outbound parcel's tracking, or turn a line into money or store credit.
  RELEASE_EXCHANGE: { document: "ReleaseExchange", fields: () => [], input: () => ({ input: {} }) },
  RECORD_EXCHANGE_PAYMENT: {
    document: "RecordExchangePayment",
    fields: (request) => {
      const owed = (request.balance || []).find(
        (total) => Number(total.differenceDue) - Number(total.paid) > 0,
      );
      const open = owed ? Number(owed.differenceDue) - Number(owed.paid) : null;
      return [
        text("amount", "form.amount", {
          required: true,
          value: open != null ? decimal(open) : "",
          inputmode: "decimal",
        }),
        text("currency", "form.currency", {
          required: true,
          value: owed?.currency ?? request.exchangeLines?.[0]?.currency ?? "",
        }),
        text("reference", "form.reference"),
      ];
    },
    input: (request, values) => ({
      input: {
        amount: values.amount?.trim(),
        currency: values.currency?.trim(),
        reference: optional(values.reference),
      },
    }),
  },
  FULFIL_EXCHANGE: {
    document: "MarkExchangeFulfilled",
    fields: (request) => [
      ...shippable(request).map((line) => ({
        name: `line.${line.lineId}`,
        label: `${t("form.exchangeLine")} · ${line.lineId} · ${line.sku}`,
        kind: "checkbox",
      })),
      text("trackingNumber", "form.tracking", { required: true }),
      text("carrier", "form.carrier"),
      text("trackingUrl", "form.trackingUrl"),
    ],
    input: (request, values) => {
      const chosen = shippable(request)
        .map((line) => line.lineId)
        .filter((id) => values[`line.${id}`]);
      return {
        input: {
          lineIds: chosen.length ? chosen : null,
          trackingNumber: values.trackingNumber?.trim(),
          carrier: optional(values.carrier?.trim()),
          trackingUrl: optional(values.trackingUrl?.trim()),
        },
      };
    },
  },
  CONVERT_EXCHANGE: {
    document: "ConvertExchange",
    fields: (request) => [
      {
        name: "lineId",
        label: t("form.exchangeLine"),
        kind: "select",
        required: true,
        options: (request.exchangeLines || [])
          .filter((line) => CONVERTIBLE.includes(line.status))
          .map((line) => ({
            value: line.lineId,
            label: `${line.lineId} · ${line.sku} · ${t(`exchange.status.${line.status}`)}`,
          })),
      },
      {
        name: "outcome",
        label: t("form.outcome"),
        kind: "select",
        required: true,
        options: ["MONEY", "STORE_CREDIT"].map((o) => ({ value: o, label: t(`outcome.${o}`) })),
      },
    ],
    input: (request, values) => ({
      input: { lineId: values.lineId, outcome: values.outcome },
    }),
  },
  DELETE_NOTE: {
    document: "DeleteReturnNote",
    inline: true,
    input: (request, values) => ({ input: { noteId: values.noteId } }),
  },
  DELETE_REFUND: {
    document: "DeleteRefund",
    inline: true,
    input: (request, values) => ({ input: { refundId: values.refundId } }),
  },
  // A fee may be waived while the request allows WAIVE_FEE and until it is waived. The form
  // asks why; the fee comes with the button.
  WAIVE_FEE: {
    document: "WaiveReturnFee",
    inline: true,
    allowed: (request, values) =>
      request.allowedActions.includes("WAIVE_FEE") &&
      (request.fees || []).some((fee) => fee.id === values.feeId && !fee.waived),
    fields: () => [text("reason", "form.waiveReason", { required: true })],
    input: (request, values) => ({ input: { feeId: values.feeId, reason: values.reason } }),
  },
};

/** The exchange lines not yet on their way that may become money or store credit. */
const CONVERTIBLE = ["PENDING", "RESERVED", "PAYMENT_REQUIRED", "OUT_OF_STOCK"];

/** The released lines, whose outbound parcel the merchant's order system sends. */
function shippable(request) {
  return (request.exchangeLines || []).filter((line) => line.status === "RELEASED");
}

/** An amount for a form field, as GraphQL's Decimal takes it ("12.5", never "12.50000001"). */
function decimal(value) {
  return String(Math.round(value * 1000) / 1000);
}

/** Whether the request as it stands allows `action` (with the values it would send). */
export function allows(request, action, values = {}) {
  const spec = FORMS[action];
  return spec?.allowed ? spec.allowed(request, values) : request.allowedActions.includes(action);
}
