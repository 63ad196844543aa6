// Boots the desk: language and time zone, sign-in, then the desk itself; after signing out,
// the sign-in form again (the dev credentials of `make run` are used once, then forgotten).
import { Api } from "./api.js";
import { Desk } from "./desk.js";
import { setLanguage, setTimeZone, t } from "./i18n.js";
import { signIn } from "./signin.js";

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
  });
  const start = await api.query("Start");
  return { session: candidate, api, start };
}

async function open(note = null) {
  const signedIn = await signIn(root, config, check, note);
  const desk = new Desk({ root, config, ...signedIn, onSignOut: signedOut });
  await desk.run();
  window.returnsDesk = desk; // for the browser tests and the curious: state, not an API
}

function signedOut(revoked) {
  window.returnsDesk = null;
  config.devSignIn = null;
  document.getElementById("desk-config").textContent = "{}";
  open(t(revoked ? "signout.done" : "signout.offline"));
}

await open();
