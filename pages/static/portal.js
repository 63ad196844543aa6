// The return portal works without this file; with it, each item shows only the fields its
// quantity and reason need, and only the chosen way of sending the parcel; a slip gets its
// Print button.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function updateLine(index) {
    var quantity = document.getElementById("qty-" + index);
    var details = document.querySelector('[data-details="' + index + '"]');
    var reason = document.getElementById("reason-" + index);
    if (!quantity || !details || !reason) return;
    var returning = quantity.value !== "0" || details.querySelector("[aria-invalid]");
    details.hidden = !returning;
    var chosen = reason.options[reason.selectedIndex];
    var needs = ((chosen && chosen.dataset.needs) || "").split(" ");
    details.querySelectorAll("[data-need]").forEach(function (field) {
      var needed = needs.indexOf(field.dataset.need) !== -1;
      field.hidden = !needed && !field.querySelector("[aria-invalid]");
    });
  }

  function updateMethod() {
    var dropoff = document.getElementById("method-dropoff");
    var chosen = dropoff && dropoff.checked ? "dropoff" : "pickup";
    document.querySelectorAll("[data-method]").forEach(function (part) {
      part.hidden = part.dataset.method !== chosen;
    });
  }

  document.querySelectorAll("[data-line]").forEach(function (select) {
    var index = select.dataset.line;
    updateLine(index);
    select.addEventListener("change", function () { updateLine(index); });
    var reason = document.getElementById("reason-" + index);
    if (reason) reason.addEventListener("change", function () { updateLine(index); });
  });
  document.querySelectorAll('input[name="method"]').forEach(function (radio) {
    radio.addEventListener("change", updateMethod);
  });
  updateMethod();
  // The slip's print button: without JavaScript the browser's own Print does the same.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  // What the customer gets back, asked again (debounced) as the form changes: the server
  // answers the quote of the form as it stands, already worded and laid out (quote.py).
  var quote = document.getElementById("quote");
  var quoteBody = document.getElementById("quote-body");
  var form = quote && quote.closest("form");
  var quoteTimer = null;
  var quoteAsked = 0;
  function quoteQuery() {
    var query = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (field) {
      var name = field.name || "";
      if (/^(sku|qty|reason|condition|comment)-\d+$/.test(name)) {
        query.set(name, name.indexOf("comment-") === 0 ? field.value.trim().slice(0, 500) : field.value);
      } else if (/^photos-\d+$/.test(name) && field.files) {
        query.set(name, String(field.files.length));
      } else if (name === "country" || name === "location") {
        query.set(name, field.value);
      } else if (/^exchange-\d+$/.test(name) && field.checked) {
        query.set(name, field.value);
      } else if (name === "method" && field.checked) {
        query.set(name, field.value);
      }
    });
    return query.toString();
  }
  function askQuote() {
    var asked = ++quoteAsked;
    quote.classList.add("updating");
    fetch(quote.dataset.quoteUrl + "&" + quoteQuery(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (asked !== quoteAsked) return;  // a later question is on its way
        quote.classList.remove("updating");
        if (answer && typeof answer.html === "string") quoteBody.innerHTML = answer.html;
      })
      .catch(function () { if (asked === quoteAsked) quote.classList.remove("updating"); });
  }
  if (quote && quoteBody && form && window.fetch && window.URLSearchParams) {
    var later = function () {
      clearTimeout(quoteTimer);
      quoteTimer = setTimeout(askQuote, 300);
    };
    form.addEventListener("change", later);
    form.addEventListener("input", later);
  }
  var errors = document.getElementById("errors");
  if (errors) errors.focus();
})();
