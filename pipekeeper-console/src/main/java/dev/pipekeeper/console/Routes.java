package dev.pipekeeper.console;

import dev.pipekeeper.core.InvalidInputException;
import io.javalin.config.RoutesConfig;
import io.javalin.config.StaticFilesConfig;
import io.javalin.http.ContentTooLargeResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Every route the console serves, in one place; each is described in the OpenAPI document {@link
 * #OPENAPI_RESOURCE} (a test checks that the two agree).
 */
final class Routes {
  /** The OpenAPI document, a resource written by hand. */
  static final String OPENAPI_RESOURCE = "/dev/pipekeeper/console/openapi.json";

  static final String OPENAPI_PATH = "/api/openapi.json";
  static final String V1 = "/api/v1";
  private static final String CLUSTER = V1 + "/clusters/{cluster}";
  private static final String GROUP = CLUSTER + "/groups/{group}";

  /** The page's files, in the jar. */
  static final String PAGE_RESOURCES = "/dev/pipekeeper/console/web";

  /**
   * The largest request body taken, 2 MiB: room for a change near ZooKeeper's 1 MiB node limit, so
   * that it is refused by the config's own check with its reason rather than by size.
   */
  static final long MAX_BODY = 2L * 1024 * 1024;

  /**
   * What the page may load: its own files only (no CDN, no inline script), and no framing by
   * another site (clickjacking).
   */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'"
          + " data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action"
          + " 'none'";

  private Routes() {}

  /**
   * Serves the page at {@code /} from {@link #PAGE_RESOURCES}, and its libraries from the WebJars
   * on the class path at {@code /webjars/}.
   */
  static void page(StaticFilesConfig files) {
    files.add(
        page -> {
          page.hostedPath = "/";
          page.directory = PAGE_RESOURCES;
          page.location = Location.CLASSPATH;
          page.headers =
              Map.of(
                  "Content-Security-Policy", CONTENT_SECURITY_POLICY,
                  "X-Content-Type-Options", "nosniff",
                  "Referrer-Policy", "no-referrer",
                  "Cache-Control", "no-cache");
        });
    files.enableWebjars();
  }

  /** Registers the routes, with {@link Errors} answering every failure as JSON. */
  static void register(
      RoutesConfig routes, Api api, Writes writes, AuditApi audit, EventFeed feed) {
    byte[] openApi = openApi();
    routes.before(Routes::readBody);
    routes.get(OPENAPI_PATH, ctx -> ctx.contentType("application/json").result(openApi));
    routes.get(V1 + "/health", api::health);
    routes.get(V1 + "/clusters", api::clusters);
    routes.get(CLUSTER, api::cluster);
    routes.get(CLUSTER + "/groups", api::groups);
    routes.get(GROUP + "/members", api::members);
    routes.get(GROUP + "/units", api::units);
    routes.get(GROUP + "/assignment", api::assignment);
    routes.get(GROUP + "/health", api::groupHealth);
    routes.get(CLUSTER + "/assignments", api::assignments);
    routes.get(CLUSTER + "/leaders", api::leaders);
    routes.get(CLUSTER + "/locks", api::locks);
    routes.get(CLUSTER + "/health", api::clusterHealth);
    routes.get(CLUSTER + "/config/scopes", api::scopes);
    routes.get(CLUSTER + "/config", api::configListing);
    routes.get(CLUSTER + "/config/keys/{key}", api::configEntry);
    routes.get(CLUSTER + "/config/keys/{key}/history", api::configHistory);
    routes.put(CLUSTER + "/config/keys/{key}", writes::set);
    routes.post(CLUSTER + "/config/apply", writes::apply);
    routes.post(CLUSTER + "/config/keys/{key}/rollback", writes::rollback);
    routes.post(CLUSTER + "/config/check", writes::check);
    routes.get(CLUSTER + "/alerts", api::alerts);
    routes.get(CLUSTER + "/alerts/history", api::alertHistory);
    routes.get(CLUSTER + "/alerts/rules", api::rules);
    routes.get(CLUSTER + "/audit", audit::page);
    // Javalin answers an SSE route asked without this Accept with an empty 200; say why instead.
    routes.before(
        V1 + "/events",
        ctx -> {
          String accept = ctx.header("Accept");
          if (accept == null || !accept.contains("text/event-stream")) {
            throw new InvalidInputException(
                "the event stream is asked for with Accept: text/event-stream (as EventSource does)");
          }
        });
    routes.sse(V1 + "/events", feed::subscribe);

    routes.exception(
        HttpResponseException.class,
        (e, ctx) -> Errors.answer(ctx, e.getStatus(), label(e.getStatus()), e.getMessage()));
    routes.exception(
        Writes.Refused.class, (e, ctx) -> Errors.answer(ctx, 403, "forbidden", e.getMessage()));
    routes.exception(Exception.class, (e, ctx) -> Errors.answer(e, ctx));
    routes.error(
        404,
        ctx -> {
          if (!"application/json".equals(ctx.res().getContentType())) {
            Errors.answer(ctx, 404, "not-found", "no such resource: " + ctx.path());
          }
        });
  }

  /**
   * Reads the whole request body before any handler answers (Javalin keeps it for {@code
   * ctx.body()}). Jetty closes a connection whose body was left unread, and a client still sending
   * that body can then lose the answer, a 404 or a refusal, and see only a closed connection. A
   * body announced over {@link #MAX_BODY} is refused at once, unread.
   */
  private static void readBody(Context ctx) {
    long length = ctx.req().getContentLengthLong();
    if (length > MAX_BODY) {
      throw new ContentTooLargeResponse(
          "the request body is " + length + " bytes; the console takes at most " + MAX_BODY);
    }
    if (length != 0) {
      ctx.bodyAsBytes();
    }
  }

  private static String label(int status) {
    return switch (status) {
      case 400 -> "bad-input";
      case 403 -> "forbidden";
      case 404 -> "not-found";
      case 405, 413 -> "bad-input";
      default -> "failed";
    };
  }

  static byte[] openApi() {
    try (InputStream in = Routes.class.getResourceAsStream(OPENAPI_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + OPENAPI_RESOURCE);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
