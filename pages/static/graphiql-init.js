// Starts GraphiQL from the page's JSON config: no inline script, so the page keeps a strict CSP.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("graphiql-config").textContent);
  var url = new URL(config.endpoint, window.location.href).toString();
  var fetcher = GraphiQL.createFetcher({
    url: url,
    subscriptionUrl: url.replace(/^http/, "ws"),
    wsConnectionParams: config.headers || undefined,
  });
  var props = {
    fetcher: fetcher,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
  };
  if (config.headers) {
    props.headers = JSON.stringify(config.headers, null, 2);
    props.defaultEditorToolsVisibility = "headers";
  }
  if (config.query) {
    props.defaultQuery = config.query;
  }
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, props)
  );
})();
