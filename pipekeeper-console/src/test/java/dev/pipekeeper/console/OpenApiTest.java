package dev.pipekeeper.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The OpenAPI document and the routes the server registers describe the same API. */
class OpenApiTest {
  @Test
  void everyRegisteredRouteIsDocumentedAndEveryDocumentedOneRegistered() throws Exception {
    Set<String> registered = new TreeSet<>();
    Javalin.create(
        config -> {
          config.events.handlerAdded(
              route -> {
                if (route.getHttpMethod().isHttpMethod()) { // not a before/after filter
                  registered.add(
                      route.getHttpMethod().name().toUpperCase(Locale.ROOT)
                          + " "
                          + route.getPath());
                }
              });
          Api api = new Api(null, true, null);
          Routes.register(
              config.routes,
              api,
              new Writes(null, api, OperatorTokens.none()),
              new AuditApi("c", null),
              new EventFeed(1));
        });

    JsonNode document = new ObjectMapper().readTree(Routes.openApi());
    Set<String> documented = new TreeSet<>();
    for (Map.Entry<String, JsonNode> path : document.path("paths").properties()) {
      path.getValue()
          .fieldNames()
          .forEachRemaining(
              method -> documented.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey()));
    }

    assertThat(registered).as("routes the server registers").isNotEmpty();
    assertThat(documented).as("routes in openapi.json").isEqualTo(registered);
    assertThat(document.path("openapi").asText()).startsWith("3.");
  }

  @Test
  void everyDocumentedOperationSaysWhatItAnswersAndHasAnId() throws Exception {
    JsonNode document = new ObjectMapper().readTree(Routes.openApi());
    Set<String> ids = new TreeSet<>();
    document
        .path("paths")
        .forEach(
            path ->
                path.forEach(
                    operation -> {
                      assertThat(operation.path("responses").has("200")).isTrue();
                      assertThat(operation.path("summary").asText()).isNotBlank();
                      assertThat(ids.add(operation.path("operationId").asText())).isTrue();
                    }));
  }
}
