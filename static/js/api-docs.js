/* The API documentation (/api/docs): Swagger UI from our static files, started here rather than inline (CSP). */
(function () {
  "use strict";

  const settings = JSON.parse(document.getElementById("swagger-settings").textContent);
  const csrfToken = document.body.dataset.csrfToken;
  window.SwaggerUIBundle({
    ...settings,
    dom_id: "#swagger-ui",
    presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset],
    // "Try it out" signs requests the way the tablet does: session cookie plus the CSRF header.
    requestInterceptor: (request) => {
      if (csrfToken) request.headers["X-CSRFToken"] = csrfToken;
      return request;
    },
  });
})();
