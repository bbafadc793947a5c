// Starts the vendored Swagger UI on zhichan's own OpenAPI document. validatorUrl is null so the
// page never calls the public validator service: zhichan runs on intranets.
window.addEventListener('DOMContentLoaded', function () {
  window.SwaggerUIBundle({
    url: '/api/v1/openapi.json',
    dom_id: '#swagger-ui',
    validatorUrl: null,
    deepLinking: true,
  });
});
