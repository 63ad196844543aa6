// Boots the desk: language and time zone, sign-in (or the set-password form of an invitation
// or reset link first), then the desk itself; after signing out, or once the server says the
// session has ended, the sign-in form again (the dev admin of `make run` signs in once).
import { Api } from "./api.js";
import { Desk } from "./desk.js";
import { setLanguage, setTimeZone, t } from "./i18n.js";
import { choosePassword, signIn } from "./signin.js";

const config = JSON.parse(document.getElementById("desk-config").textContent);
const root = document.getElementById("desk");
const asked = new URLSearchParams(location.search).get("lang");
setLanguage(
  asked ||
    localStorage.getItem("desk.language") ||
    (navigator.language.startsWith("ar") ? "ar" : "en"),
);
const zone = localStorage.getItem("desk.timeZone");
if (zone) setTimeZone(zone);

async function check(candidate) {
  const api = new Api({
    session: candidate,
    graphqlUrl: config.graphql,
    documentsUrl: config.documents,
    onEnded: () => window.returnsDesk?.signOut("ended"),
  });
  const start = await api.query("Start");
  return { session: candidate, api, start };
}

async function open(note = null, known = {}) {
  const signedIn = await signIn(root, config, check, note, known);
  const desk = new Desk({ root, config, ...signedIn, onSignOut: signedOut });
  window.returnsDesk = desk; // for the browser tests and the curious: state, not an API
  await desk.run();
}

function signedOut(reason) {
  window.returnsDesk = null;
  config.devSignIn = null;
  document.getElementById("desk-config").textContent = "{}";
  open(t(`signout.${reason}`));
}

const token = new URLSearchParams(location.hash.slice(1)).get("token");
if (location.pathname.endsWith("/password") && token) {
  config.devSignIn = null; // the link is for someone else than the dev admin
  const account = await choosePassword(root, config, token);
  await open(t("password.done"), account);
} else {
  await open();
}
