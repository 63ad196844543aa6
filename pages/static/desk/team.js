// Dialogs of the header (webhooks.js has the third): the team (admins: invite a user, change a role, disable or
// enable, make a password-reset link) and the operator's own account (change the password).
// An invitation or reset link is shown once, to copy and hand to the person; it works once.
// The server checks every one of these calls against the admin's role: this screen only
// spares other roles a button that would be refused.
import { fill, h, isolate } from "./dom.js";
import { language, t } from "./i18n.js";

const ROLES = ["VIEWER", "AGENT", "ADMIN"];

export function dialog(id, titleKey, ...body) {
  const box = h(
    "dialog",
    { id, class: "dialog", "aria-labelledby": `${id}-title` },
    h(
      "div",
      { class: "dialog-head" },
      h("h2", { id: `${id}-title` }, t(titleKey)),
      h("button", { type: "button", class: "close", onclick: () => box.close() }, t("dialog.close")),
    ),
    ...body,
  );
  box.addEventListener("close", () => box.remove());
  document.body.append(box);
  box.showModal();
  return box;
}

function roleSelect(id, value, onchange = null) {
  return h(
    "select",
    { id, name: "role", onchange },
    ROLES.map((role) => h("option", { value: role, selected: role === value }, t(`role.${role}`))),
  );
}

function shownLink(link, kind) {
  return h(
    "div",
    { class: "link-box", role: "status" },
    h("p", {}, t(kind === "invite" ? "team.inviteLink" : "team.resetLink")),
    h("input", { type: "text", readonly: true, value: link, class: "link", "aria-label": t("team.link") }),
  );
}

/** The link went to the colleague's own address: say so (only they ever see it). */
function emailed(payload, kind) {
  const key = kind === "invite" ? "team.inviteEmailed" : "team.resetEmailed";
  const email = `\u2068${payload.staffUser.email}\u2069`; // isolated: an address stays whole in Arabic
  return h("p", { class: "emailed", role: "status" }, t(key, { email }));
}

/** The team dialog: everyone of the tenant, and an invitation form. */
export async function openTeam(api) {
  const list = h("tbody", { id: "team-users" });
  const message = h("div", { id: "team-message", "aria-live": "polite" });
  const error = h("p", { class: "form-error", role: "alert", id: "team-error" });
  const invite = h(
    "form",
    { class: "invite", id: "team-invite" },
    h("h3", {}, t("team.invite")),
    h("label", { for: "invite-email" }, t("signin.email")),
    h("input", { id: "invite-email", name: "email", type: "email", required: true }),
    h("label", { for: "invite-name" }, t("team.name")),
    h("input", { id: "invite-name", name: "name", type: "text" }),
    h("label", { for: "invite-role" }, t("team.role")),
    roleSelect("invite-role", "AGENT"),
    h("button", { type: "submit", class: "primary" }, t("team.send")),
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
        ["team.name", "signin.email", "team.role", "team.state", "team.actions"].map((k) =>
          h("th", { scope: "col" }, t(k)),
        ),
      ),
    ),
    list,
  );
  dialog("team-dialog", "team.title", message, table, invite);

  async function change(name, input, kind) {
    error.textContent = "";
    const data = await api.mutate(name, { input });
    const payload = Object.values(data)[0];
    if (payload.userErrors.length) {
      error.textContent = payload.userErrors.map((e) => e.message).join(" ");
      return;
    }
    fill(message, payload.link ? shownLink(payload.link, kind) : payload.emailed ? emailed(payload, kind) : null);
    await load();
  }

  function row(user) {
    const id = `role-${user.id}`;
    return h(
      "tr",
      { dataset: { email: user.email } },
      h("td", {}, isolate(user.name)),
      h("td", {}, isolate(user.email, "code")),
      h(
        "td",
        {},
        h("label", { for: id, class: "visually-hidden" }, t("team.role")),
        roleSelect(id, user.role, (e) => change("UpdateStaffUser", { id: user.id, role: e.target.value })),
      ),
      h(
        "td",
        {},
        t(user.disabled ? "team.disabled" : user.hasPassword ? "team.active" : "team.invited"),
      ),
      h(
        "td",
        { class: "buttons" },
        h(
          "button",
          {
            type: "button",
            class: "disable",
            onclick: () => change("UpdateStaffUser", { id: user.id, disabled: !user.disabled }),
          },
          t(user.disabled ? "team.enable" : "team.disable"),
        ),
        h(
          "button",
          {
            type: "button",
            class: "reset",
            onclick: () => change("ResetStaffPassword", { id: user.id, language: language() }, "reset"),
          },
          t("team.reset"),
        ),
      ),
    );
  }

  async function load() {
    const data = await api.query("StaffUsers");
    fill(list, data.staffUsers.map(row));
  }

  invite.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(invite));
    const input = { ...values, name: values.name || null, language: language() };
    await change("CreateStaffUser", input, "invite");
    if (!error.textContent) invite.reset();
  });
  await load();
}

/** The operator's own account: change the password (every other session ends). */
export function openAccount(session) {
  const error = h("p", { class: "form-error", role: "alert", id: "account-error" });
  const done = h("p", { role: "status", id: "account-done" });
  const form = h(
    "form",
    { class: "invite", id: "account-form" },
    h("p", {}, session.user?.email ?? ""),
    h("label", { for: "account-current" }, t("account.current")),
    h("input", {
      id: "account-current",
      type: "password",
      autocomplete: "current-password",
      required: true,
    }),
    h("label", { for: "account-new" }, t("password.new")),
    h("input", { id: "account-new", type: "password", autocomplete: "new-password", required: true }),
    h("button", { type: "submit", class: "primary" }, t("account.change")),
    error,
    done,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = done.textContent = "";
    try {
      await session.changePassword(
        form.querySelector("#account-current").value,
        form.querySelector("#account-new").value,
      );
      form.reset();
      done.textContent = t("account.changed");
    } catch (failure) {
      error.textContent = t(failure.message === "current_password" ? "account.wrong" : "password.rules");
    }
  });
  dialog("account-dialog", "account.title", form);
}
