// The customer's photos of an item, in the panel and full size. Photos are served only to
// the desk's signed-in callers (pages/staff_access.py), so the page fetches each with the
// session's credentials and shows it from a blob: URL; an <img src> could not send them.
import { fill, h } from "./dom.js";
import { t } from "./i18n.js";

const cache = new Map(); // photo URL -> Promise of a blob: URL, for the page's life

async function blobUrl(url, session) {
  if (!cache.has(url)) {
    const load = (async () => {
      const response = await fetch(url, { headers: await session.headers() });
      if (!response.ok) throw new Error(`photo answered ${response.status}`);
      return URL.createObjectURL(await response.blob());
    })();
    cache.set(url, load);
    load.catch(() => cache.delete(url));
  }
  return cache.get(url);
}

/** Only this server's own photos are fetched with credentials; others are not shown. */
function ours(url) {
  try {
    return new URL(url, location.href).origin === location.origin;
  } catch {
    return false;
  }
}

/** A strip of thumbnails, each a button opening the photo full size. */
export function photoStrip(item, session) {
  const urls = (item.imageUrls || []).filter(ours);
  if (!urls.length) return null;
  return h(
    "ul",
    { class: "photos", "aria-label": t("photos.title") },
    urls.map((url, index) => {
      const label = t("photos.open", { n: index + 1, sku: item.sku });
      const img = h("img", { alt: label, class: "thumb", width: 72, height: 72 });
      const button = h(
        "button",
        { type: "button", class: "photo", dataset: { photo: url }, onclick: () => view(url, label, session) },
        img,
      );
      blobUrl(url, session)
        .then((src) => {
          img.src = src;
        })
        .catch(() => fill(button, h("small", {}, t("photos.failed"))));
      return h("li", {}, button);
    }),
  );
}

/** The photo at full size in a modal dialog; Escape or the button closes it. */
async function view(url, label, session) {
  const dialog = h("dialog", { class: "photo-viewer", "aria-label": label });
  const close = h(
    "button",
    { type: "button", class: "close", onclick: () => dialog.close() },
    t("photos.close"),
  );
  const img = h("img", { alt: label, class: "full" });
  fill(dialog, close, img);
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  close.focus();
  try {
    img.src = await blobUrl(url, session);
  } catch {
    img.replaceWith(h("p", {}, t("photos.failed")));
  }
}
