// The queue: what is loaded (pages of the connection, newest first) and how a live change
// lands in it. A change updates its row in place, inserts a new request where it sorts, or
// removes a request that no longer matches the filters; rows are keyed by id, so a request
// is never shown twice, and nothing else on the page is redrawn.
import { fill, h, isolate } from "./dom.js";
import { formatMoney, formatTime, plural, statusName, t } from "./i18n.js";

/** Newest first, as the API pages: created time, then id, both descending. */
function before(a, b) {
  if (a.createdAt !== b.createdAt) return a.createdAt > b.createdAt;
  return a.returnRequestId > b.returnRequestId;
}

export class QueueModel {
  constructor() {
    this.reset({});
  }

  reset(filter) {
    this.filter = filter;
    this.rows = new Map();
    this.order = [];
    this.hasNext = false;
    this.endCursor = null;
  }

  addPage(connection) {
    for (const { node } of connection.edges) {
      if (!this.rows.has(node.returnRequestId)) this.order.push(node.returnRequestId);
      this.rows.set(node.returnRequestId, node);
    }
    this.hasNext = connection.pageInfo.hasNextPage;
    this.endCursor = connection.pageInfo.endCursor;
  }

  matches(row) {
    const f = this.filter;
    // A search is the database's to answer: a live change keeps a row it found up to date,
    // and a new request shows on the next load.
    if (f.search && !this.rows.has(row.returnRequestId)) return false;
    return (
      (!f.merchant || row.merchant === f.merchant) &&
      (!f.status || row.status === f.status) &&
      (!f.assignedTo || row.assignedToUser === f.assignedTo) &&
      (!f.orderReference || row.orderReference === f.orderReference) &&
      (!f.createdAfter || new Date(row.createdAt) > new Date(f.createdAfter)) &&
      (!f.createdBefore || new Date(row.createdAt) < new Date(f.createdBefore))
    );
  }

  /** Whether a row belongs among the loaded ones (older ones come with a later page). */
  withinLoaded(row) {
    if (!this.hasNext || this.order.length === 0) return true;
    return before(row, this.rows.get(this.order[this.order.length - 1]));
  }

  /** The newest state of a request: "inserted", "updated", "removed" or null (no change). */
  apply(row) {
    const id = row.returnRequestId;
    const known = this.rows.get(id);
    if (known && known.version >= row.version) return null;
    const wanted = this.matches(row);
    if (known && !wanted) {
      this.rows.delete(id);
      this.order.splice(this.order.indexOf(id), 1);
      return "removed";
    }
    if (known) {
      this.rows.set(id, row);
      return "updated";
    }
    if (!wanted || !this.withinLoaded(row)) return null;
    if (this.filter.orderBy && this.filter.orderBy !== "NEWEST") return null; // next load
    this.rows.set(id, row);
    const index = this.order.findIndex((other) => before(row, this.rows.get(other)));
    this.order.splice(index === -1 ? this.order.length : index, 0, id);
    return "inserted";
  }
}

export class QueueView {
  constructor({ list, scroller, onOpen, picked = new Set(), onPick = () => {} }) {
    Object.assign(this, { list, scroller, onOpen, picked, onPick });
    this.items = new Map();
    this.selected = null;
    list.addEventListener("keydown", (event) => this.key(event));
  }

  render(model) {
    this.items.clear();
    const rows = model.order.map((id) => this.item(model.rows.get(id)));
    fill(this.list, rows.length ? rows : h("li", { class: "empty" }, t("queue.empty")));
  }

  /** One row changed: redraw it alone, keeping the operator's place in the list. */
  update(model, id, change) {
    const old = this.items.get(id);
    if (change === "removed") {
      this.keepPlace(old, () => old.remove());
      this.items.delete(id);
      return;
    }
    const fresh = this.item(model.rows.get(id));
    fresh.classList.add("changed");
    setTimeout(() => fresh.classList.remove("changed"), 1500);
    if (change === "updated" && old) {
      const hadFocus = old.contains(document.activeElement);
      old.replaceWith(fresh);
      if (hadFocus) fresh.querySelector("button").focus();
      return;
    }
    this.list.querySelector(".empty")?.remove();
    const next = model.order[model.order.indexOf(id) + 1];
    const anchor = next ? this.items.get(next) : null;
    this.keepPlace(fresh, () => this.list.insertBefore(fresh, anchor));
  }

  /** Rows added or removed above what the operator is reading must not move it. */
  keepPlace(element, change) {
    const top = this.scroller.scrollTop;
    const above = element?.isConnected && element.offsetTop < top;
    const heightBefore = this.list.offsetHeight;
    change();
    const inserted = element?.isConnected && element.offsetTop < top;
    if (top > 0 && (above || inserted)) {
      this.scroller.scrollTop = top + (this.list.offsetHeight - heightBefore);
    }
  }

  item(row) {
    const units = row.items.reduce((sum, item) => sum + item.quantity, 0);
    const button = h(
      "button",
      {
        class: "row",
        type: "button",
        dataset: { rid: row.returnRequestId, status: row.status, version: row.version },
        "aria-current": this.selected === row.returnRequestId ? "true" : null,
        onclick: () => this.onOpen(row.returnRequestId),
      },
      isolate(row.returnRequestId, "code", { class: "rid" }),
      h("span", { class: `badge status-${row.status}` }, statusName(row.status)),
      h(
        "span",
        { class: "where" },
        isolate(row.merchant, "text", { class: "merchant" }),
        " · ",
        isolate(row.orderReference, "code", { class: "order" }),
      ),
      row.order?.customer?.name
        ? isolate(row.order.customer.name, "text", { class: "customer" })
        : h("span", { class: "customer none" }, t("queue.noCustomer")),
      row.value != null && row.currency
        ? isolate(formatMoney(row.value, row.currency), "money", { class: "value" })
        : null,
      h("span", { class: "units" }, plural("queue.items", units)),
      row.assignedToUser
        ? isolate(row.assignedToUser, "text", { class: "assignee" })
        : h("span", { class: "assignee" }, t("queue.unassigned")),
      h("time", { datetime: row.createdAt }, formatTime(row.createdAt)),
    );
    const pick = h("input", {
      type: "checkbox",
      class: "pick-row",
      "aria-label": t("queue.select", { id: row.returnRequestId }),
      checked: this.picked.has(row.returnRequestId),
      onchange: (event) => this.onPick(row.returnRequestId, event.target.checked),
    });
    const li = h("li", { dataset: { rid: row.returnRequestId } }, pick, button);
    this.items.set(row.returnRequestId, li);
    return li;
  }

  select(id) {
    this.selected = id;
    for (const [rid, li] of this.items) {
      const button = li.querySelector("button");
      if (rid === id) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    }
  }

  focusRow(id) {
    this.items.get(id)?.querySelector("button").focus();
  }

  key(event) {
    const buttons = [...this.list.querySelectorAll("button.row")];
    const index = buttons.indexOf(document.activeElement);
    const moves = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: buttons.length - 1 };
    if (!(event.key in moves) || !buttons.length) return;
    event.preventDefault();
    const target = buttons[Math.max(0, Math.min(buttons.length - 1, moves[event.key]))];
    target.focus();
    target.scrollIntoView({ block: "nearest" });
  }
}
