// Renders the REST reference from /openapi.json with the Swagger UI this server ships. In
// development the page's JSON config carries the dev credentials, put into the Authorize
// dialog once the spec (which names the security schemes) has loaded; never persisted.
(function () {
  "use strict";
  var target = document.getElementById("swagger-ui");
  var config = JSON.parse(document.getElementById("docs-config").textContent);
  var authorize = config.authorize || {};
  window.ui = SwaggerUIBundle({
    url: target.dataset.spec,
    domNode: target,
    deepLinking: true,
    onComplete: function () {
      Object.keys(authorize).forEach(function (scheme) {
        window.ui.preauthorizeApiKey(scheme, authorize[scheme]);
      });
    },
  });
})();
