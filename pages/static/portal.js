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
  var errors = document.getElementById("errors");
  if (errors) errors.focus();
})();
