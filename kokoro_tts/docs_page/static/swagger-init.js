// Starts Swagger UI on /api/docs with the settings the page carries as JSON (no inline script:
// the page's Content-Security-Policy allows scripts from this origin's files only).
"use strict";
(function () {
  function read(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }
  var config = Object.assign(read("swagger-ui-settings"), read("swagger-ui-config"));
  window.ui = SwaggerUIBundle(config);
})();
