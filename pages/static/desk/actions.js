// The action area of the open request: one button per action in its `allowedActions` (no
// more, no less), the form of the chosen action, and what came of it. Every write carries
// the version the operator was looking at (`expectedVersion`); when another operator got
// there first, the answer VERSION_CONFLICT is turned into what changed since and an offer to
// do the same again on the new state. That box follows every later change (what changed,
// and "Redo" only while the action is still allowed) until it is answered or dismissed.
// userErrors appear beside the field they name.
import { fill, h, randomKey } from "./dom.js";
import { actionName, eventName, formatTime, statusName, t } from "./i18n.js";
import { FORMS, allows } from "./forms.js";

const TOOLBAR_ORDER = Object.keys(FORMS).filter((action) => !FORMS[action].inline);

export class Actions {
  constructor({ api, mayWrite, operator, reference, onResult }) {
    Object.assign(this, { api, mayWrite, operator, reference, onResult });
    this.toolbar = h("div", {
      class: "toolbar",
      role: "toolbar",
      "aria-label": t("panel.actions"),
    });
    this.area = h("div", { class: "form-area" });
    this.message = h("div", { class: "message", role: "status", "aria-live": "polite" });
    this.element = h(
      "section",
      { class: "actions", "aria-label": t("panel.actions") },
      this.toolbar,
      this.message,
      this.area,
    );
    this.form = null;
    this.preset = {};
    this.conflicted = null; // the conflict the message box shows, while it shows one
  }

  /** The request as it now stands: buttons follow its allowedActions; an open form stays,
   * its submit disabled once the action is no longer allowed; a conflict box is redrawn. */
  show(request) {
    this.request = request;
    const allowed = request.allowedActions.filter((action) => TOOLBAR_ORDER.includes(action));
    allowed.sort((a, b) => TOOLBAR_ORDER.indexOf(a) - TOOLBAR_ORDER.indexOf(b));
    fill(
      this.toolbar,
      allowed.length
        ? allowed.map((action) => this.button(action, actionName(action), () => this.open(action)))
        : h("p", {}, t("panel.noActions")),
    );
    this.markForm();
    if (this.conflicted && this.conflicted.drawnAt !== request.version) this.drawConflict();
  }

  /** An open form whose action the request no longer allows says so and cannot be sent. */
  markForm() {
    if (!this.form) return;
    const action = this.form.dataset.action;
    const allowed = allows(this.request, action, this.preset);
    this.form.querySelector("button.primary").disabled = !allowed;
    const error = this.form.querySelector(".form-error");
    if (!allowed) error.textContent = t("conflict.gone", { action: actionName(action) });
    else if (error.dataset.gone) error.textContent = "";
    error.dataset.gone = allowed ? "" : "true";
  }

  /** Replace what the message area says (a conflict box it showed is answered by it). */
  say(...content) {
    this.conflicted = null;
    fill(this.message, ...content);
  }

  button(action, label, onclick, extra = {}) {
    const readOnly = !this.mayWrite;
    return h(
      "button",
      {
        type: "button",
        class: extra.class ?? "action",
        dataset: { action },
        "aria-label": extra.ariaLabel,
        "aria-disabled": readOnly ? "true" : null,
        title: readOnly ? t("readonly.tooltip") : null,
        onclick: readOnly ? null : onclick,
      },
      label,
    );
  }

  /** A small button for an action on one note or refund, when the request allows it. */
  inline(action, values) {
    if (!this.request || !allows(this.request, action, values)) return null;
    return this.button(action, t("panel.delete"), () => this.submit(action, values, this.request), {
      class: "inline",
      ariaLabel: actionName(action),
    });
  }

  /** "Waive" beside a fee that may still be waived; a viewer gets none (the fee is shown
   * all the same). It opens a form asking why, which the fee's id goes with. */
  waive(fee, label) {
    const values = { feeId: fee.id };
    if (!this.mayWrite || !this.request || !allows(this.request, "WAIVE_FEE", values)) return null;
    return this.button("WAIVE_FEE", t("fee.waive"), () => this.open("WAIVE_FEE", values, label), {
      class: "inline waive",
      ariaLabel: t("fee.waiveThis", { fee: label }),
    });
  }

  /** The form of `action`; `preset` values (what a row's button knows, such as a fee's id)
   * go with what the operator types, and `subject` says what the form is about. */
  async open(action, preset = {}, subject = null) {
    const spec = FORMS[action];
    const snapshot = this.request;
    const ref = await this.reference(snapshot.merchant);
    const fields = spec.fields(snapshot, ref, this.operator);
    const form = h(
      "form",
      { class: "action-form", dataset: { action }, novalidate: true },
      h("h3", {}, actionName(action)),
      subject ? h("p", { class: "subject" }, subject) : null,
      fields.map((field) => this.field(field)),
      h("p", { class: "form-error", role: "alert" }),
      h(
        "div",
        { class: "buttons" },
        h(
          "button",
          { type: "submit", class: "primary" },
          t("form.submit", { action: actionName(action) }),
        ),
        h("button", { type: "button", onclick: () => this.close() }, t("form.cancel")),
      ),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit(action, { ...preset, ...values(form) }, snapshot, form);
    });
    this.form = form;
    this.preset = preset;
    this.say();
    fill(this.area, form);
    this.markForm();
    (form.querySelector("input, select, textarea") ?? form.querySelector("button.primary")).focus();
  }

  field(field) {
    const id = `f-${randomKey()}`;
    const common = {
      id,
      name: field.name,
      required: field.required,
      dataset: { field: field.name },
    };
    let control;
    if (field.kind === "select") {
      const options = [
        h("option", { value: "" }, t("form.choose")),
        field.options.map((o) => h("option", { value: o.value }, o.label)),
      ];
      control =
        field.options.length || !field.free
          ? h("select", common, options)
          : h("input", { ...common, type: "text" });
    } else if (field.kind === "textarea") {
      control = h("textarea", { ...common, rows: 3 }, field.value ?? "");
    } else if (field.kind === "checkbox") {
      control = h("input", { ...common, type: "checkbox", checked: Boolean(field.value) });
    } else {
      control = h("input", {
        ...common,
        type: field.kind === "number" ? "number" : "text",
        min: field.min,
        max: field.max,
        inputmode: field.inputmode,
        value: field.value ?? "",
      });
    }
    const error = h("span", { class: "field-error", id: `${id}-error`, "aria-live": "polite" });
    control.setAttribute("aria-describedby", error.id);
    return h(
      "div",
      { class: `field field-${field.kind}` },
      h("label", { for: id }, field.label),
      control,
      error,
    );
  }

  /** Close the open form, giving focus back to its action's button (or the first one),
   * never to the page body. */
  close() {
    const action = this.form?.dataset.action;
    this.form = null;
    this.preset = {};
    fill(this.area);
    const back = action && this.toolbar.querySelector(`button[data-action=${action}]`);
    (back || this.toolbar.querySelector("button"))?.focus();
  }

  async submit(action, formValues, snapshot, form = null) {
    const spec = FORMS[action];
    const { input, rename = {} } = spec.input(snapshot, formValues);
    input.returnRequestId = snapshot.returnRequestId;
    input.expectedVersion = snapshot.version;
    this.clearErrors(form);
    this.say(t("form.sending"));
    let payload;
    try {
      const data = await this.api.mutate(spec.document, { input, lang: this.language() });
      payload = Object.values(data)[0];
    } catch (error) {
      this.say(
        h("span", { class: "error", role: "alert" }, t("form.failed", { message: error.message })),
      );
      return;
    }
    const errors = payload.userErrors;
    if (errors.some((e) => e.code === "VERSION_CONFLICT")) {
      await this.conflict(action, formValues, snapshot, form);
      return;
    }
    if (errors.length) {
      this.say();
      this.showErrors(errors, rename, form);
      return;
    }
    this.close();
    this.say(h("span", { class: "done" }, t("form.done", { action: actionName(action) })));
    this.onResult(payload.returnRequest);
  }

  /** Show what changed since the operator's snapshot, and offer to redo on the new state. */
  async conflict(action, formValues, snapshot, form) {
    const data = await this.api.query("ReturnDetail", {
      id: snapshot.returnRequestId,
      lang: this.language(),
    });
    const fresh = data.returnRequest;
    this.conflicted = { action, formValues, snapshot, form, drawnAt: null };
    const conflicted = this.conflicted;
    if (fresh.version >= this.request.version) this.show(fresh);
    else this.drawConflict();
    this.onResult(fresh);
    if (this.conflicted === conflicted) {
      const box = this.message.querySelector(".conflict");
      (box.querySelector("button.redo") ?? box.querySelector("button")).focus();
    }
  }

  /** The conflict box against the request as it now stands: "Redo" only while allowed. */
  drawConflict() {
    const { action, formValues, snapshot, form } = this.conflicted;
    const now = this.request;
    const allowed = allows(now, action, formValues);
    const hadFocus = this.message.contains(document.activeElement);
    const redo = () => {
      this.say();
      this.submit(action, formValues, this.request, form);
    };
    const discard = () => {
      this.say();
      this.close();
    };
    const box = h(
      "div",
      { class: "conflict", role: "alert", dataset: { version: now.version } },
      h("p", {}, h("strong", {}, t("conflict.title"))),
      h("p", {}, t("conflict.changes")),
      h(
        "ul",
        {},
        changes(snapshot, now).map((line) => h("li", {}, line)),
      ),
      allowed ? null : h("p", { class: "gone" }, t("conflict.gone", { action: actionName(action) })),
      h(
        "div",
        { class: "buttons" },
        allowed
          ? h(
              "button",
              { type: "button", class: "primary redo", onclick: redo },
              t("conflict.redo", { action: actionName(action) }),
            )
          : null,
        h("button", { type: "button", class: "discard", onclick: discard }, t("conflict.discard")),
      ),
    );
    fill(this.message, box);
    this.conflicted.drawnAt = now.version;
    if (hadFocus) (box.querySelector("button.redo") ?? box.querySelector("button")).focus();
  }

  showErrors(errors, rename, form) {
    for (const error of errors) {
      const field = error.field ? renamed(error.field, rename) : null;
      const control = form && field ? matching(form, field) : null;
      if (control) {
        control.setAttribute("aria-invalid", "true");
        form.querySelector(`#${control.id}-error`).textContent = error.message;
      } else if (form) {
        form.querySelector(".form-error").textContent = error.message;
      } else {
        this.say(h("span", { class: "error", role: "alert" }, error.message));
      }
    }
    form?.querySelector("[aria-invalid=true]")?.focus();
  }

  clearErrors(form) {
    if (!form) return;
    form.querySelectorAll(".field-error, .form-error").forEach((el) => (el.textContent = ""));
    form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  }

  language() {
    return document.documentElement.lang;
  }
}

function values(form) {
  const result = {};
  for (const control of form.elements) {
    if (!control.name) continue;
    result[control.name] = control.type === "checkbox" ? control.checked : control.value;
  }
  return result;
}

function renamed(field, rename) {
  const match = field.match(/^(items\[\d+\])(.*)$/);
  return match && rename[match[1]] ? rename[match[1]] + match[2] : field;
}

/** The control a userError's field names, or the nearest one it belongs to. */
function matching(form, field) {
  const controls = [...form.querySelectorAll("[data-field]")];
  return (
    controls.find((c) => c.dataset.field === field) ??
    controls.find((c) => c.dataset.field.startsWith(`${field}.`)) ??
    controls.find((c) => field.startsWith(`${c.dataset.field}.`))
  );
}

/** Readable lines for what differs between two states of a request. */
export function changes(before, after) {
  const lines = [];
  if (before.status !== after.status) {
    lines.push(
      t("conflict.status", { from: statusName(before.status), to: statusName(after.status) }),
    );
  }
  if ((before.assignedToUser ?? "") !== (after.assignedToUser ?? "")) {
    lines.push(
      t("conflict.assignee", {
        from: before.assignedToUser || "—",
        to: after.assignedToUser || "—",
      }),
    );
  }
  const seen = Math.max(0, ...before.events.map((e) => Number(e.position)));
  for (const event of after.events.filter((e) => Number(e.position) > seen)) {
    lines.push(
      t("conflict.event", {
        event:
          eventName(event.eventType) + (event.newStatus ? ` (${statusName(event.newStatus)})` : ""),
        by: event.actor?.user ? t("panel.by", { user: event.actor.user }) : "",
        time: formatTime(event.occurredAt),
      }),
    );
  }
  lines.push(t("conflict.version", { from: before.version, to: after.version }));
  return lines;
}
