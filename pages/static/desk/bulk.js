// Work on many requests at once: the operator ticks rows, then approves, rejects (one reason
// for all), assigns or holds them. Each row is its own mutation, sent with the version the
// operator saw (expectedVersion), so a row someone else changed meanwhile answers
// VERSION_CONFLICT and the others go on: every row reports its own outcome.
import { fill, h, isolate } from "./dom.js";
import { plural, t } from "./i18n.js";

const AT_ONCE = 4; // rows in flight together: quick, without flooding the server

const ACTIONS = {
  approve: { document: "ApproveReturn", field: "approveReturn", action: "APPROVE" },
  reject: { document: "RejectReturn", field: "rejectReturn", action: "REJECT" },
  assign: { document: "AssignReturn", field: "assignReturn", action: null },
  hold: { document: "HoldReturn", field: "holdReturn", action: "HOLD" },
};

export class Bulk {
  constructor({ api, model, mayWrite, lang, onRow, reasons }) {
    Object.assign(this, { api, model, mayWrite, lang, onRow, reasons });
    this.picked = new Set();
    this.element = h("section", { class: "bulk", id: "bulk", "aria-label": t("bulk.title") });
    this.results = h("div", { class: "bulk-results", role: "status", "aria-live": "polite" });
  }

  pick(id, on) {
    if (on) this.picked.add(id);
    else this.picked.delete(id);
    this.draw();
  }

  pickAll(on) {
    for (const id of this.model.order) {
      if (on) this.picked.add(id);
      else this.picked.delete(id);
    }
    for (const box of document.querySelectorAll("#queue input.pick-row")) box.checked = on;
    this.draw();
  }

  /** The bar: how many are ticked and what can be done to them. */
  async draw() {
    const count = this.picked.size;
    const reasons = count && this.mayWrite ? await this.reasons().catch(() => []) : [];
    const button = (name, extra = {}) =>
      h(
        "button",
        {
          type: "button",
          dataset: { bulk: name },
          disabled: !count || !this.mayWrite,
          onclick: () => this.run(name),
          ...extra,
        },
        t(`bulk.${name}`),
      );
    fill(
      this.element,
      h("span", { class: "bulk-count", dataset: { count } }, plural("bulk.selected", count)),
      h("button", { type: "button", onclick: () => this.pickAll(true) }, t("bulk.all")),
      h("button", { type: "button", onclick: () => this.pickAll(false) }, t("bulk.none")),
      this.mayWrite ? button("approve", { class: "primary" }) : null,
      this.mayWrite
        ? h(
            "span",
            { class: "pick" },
            h("label", { for: "bulk-reason" }, t("bulk.reason")),
            h(
              "select",
              { id: "bulk-reason" },
              reasons.map((r) => h("option", { value: r.code }, r.name)),
            ),
          )
        : null,
      this.mayWrite ? button("reject") : null,
      this.mayWrite
        ? h(
            "span",
            { class: "pick" },
            h("label", { for: "bulk-assignee" }, t("bulk.assignee")),
            h("input", { id: "bulk-assignee", type: "text", size: 14 }),
          )
        : null,
      this.mayWrite ? button("assign") : null,
      this.mayWrite ? button("hold") : null,
      this.results,
    );
  }

  /** Every ticked row, a few at a time; the summary counts each outcome. */
  async run(name) {
    const ids = [...this.picked];
    const extra = {
      reject: () => ({ reason: document.getElementById("bulk-reason")?.value || "OTHER" }),
      assign: () => ({ user: document.getElementById("bulk-assignee")?.value.trim() || null }),
    }[name];
    const input = extra ? extra() : {};
    fill(this.results, t("bulk.working", { count: ids.length }));
    const outcomes = new Map();
    const queue = [...ids];
    const worker = async () => {
      while (queue.length) {
        const id = queue.shift();
        outcomes.set(id, await this.one(name, id, input));
      }
    };
    await Promise.all(Array.from({ length: Math.min(AT_ONCE, ids.length) }, worker));
    this.report(ids, outcomes);
  }

  async one(name, id, input) {
    const { document, field } = ACTIONS[name];
    const row = this.model.rows.get(id);
    const variables = {
      input: { returnRequestId: id, expectedVersion: row?.version, ...input },
      lang: this.lang(),
    };
    try {
      const payload = (await this.api.mutate(document, variables))[field];
      const error = payload.userErrors[0];
      if (!error) {
        this.picked.delete(id);
        this.onRow(payload.returnRequest);
        return { kind: "done" };
      }
      return { kind: error.code === "VERSION_CONFLICT" ? "conflict" : "refused", error };
    } catch (error) {
      return { kind: "refused", error: { code: "NETWORK", message: String(error.message) } };
    }
  }

  report(ids, outcomes) {
    const count = (kind) => ids.filter((id) => outcomes.get(id).kind === kind).length;
    const totals = { done: count("done"), conflicts: count("conflict"), failed: count("refused") };
    const word = { done: t("bulk.done"), conflict: t("bulk.conflict"), refused: t("bulk.refused") };
    fill(
      this.results,
      h("p", { class: "bulk-summary", dataset: totals }, t("bulk.summary", totals)),
      h(
        "ul",
        { class: "bulk-outcomes", tabindex: "0", "aria-label": t("bulk.title") },
        ids.map((id) => {
          const { kind, error } = outcomes.get(id);
          return h(
            "li",
            { dataset: { rid: id, outcome: kind } },
            isolate(id, "code"),
            " — ",
            word[kind],
            error && kind === "refused" ? h("small", {}, ` (${error.message})`) : null,
          );
        }),
      ),
    );
    for (const box of document.querySelectorAll("#queue input.pick-row")) {
      box.checked = this.picked.has(box.closest("li").dataset.rid);
    }
    this.drawCount();
  }

  drawCount() {
    const counter = this.element.querySelector(".bulk-count");
    if (!counter) return;
    counter.dataset.count = this.picked.size;
    fill(counter, plural("bulk.selected", this.picked.size));
    for (const button of this.element.querySelectorAll("button[data-bulk]")) {
      button.disabled = !this.picked.size;
    }
  }
}
