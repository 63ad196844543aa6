// Renders the REST reference from /openapi.json with the Swagger UI this server ships.
(function () {
  "use strict";
  var target = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({ url: target.dataset.spec, domNode: target, deepLinking: true });
})();
