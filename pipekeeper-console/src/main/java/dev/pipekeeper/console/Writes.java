package dev.pipekeeper.console;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.pipekeeper.console.views.ViewJson;
import dev.pipekeeper.console.views.Views;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.ConfigCommit;
import dev.pipekeeper.core.config.ConfigKeys;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.config.Secrets;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * The handlers that change the cluster — config set, apply and rollback, through the core's {@link
 * dev.pipekeeper.core.config.Configuration} with its validation and compare-and-set, as the CLI's
 * {@code config} commands — and the check an editor makes before saving.
 *
 * <p>A change is made only for an operator with the writer role ({@link OperatorTokens}) named by
 * {@code Authorization: Bearer TOKEN}, never by a cookie, and only when the request is not
 * cross-origin ({@code Origin}, {@code Sec-Fetch-Site}): a page of another site cannot make a
 * browser change the cluster. A refusal is {@link Refused} (403 {@code forbidden}). The change is
 * recorded under the operator's name, with a comment saying it came through the console.
 */
final class Writes {
  /** Recorded as the change's comment, before the operator's own. */
  static final String COMMENT_PREFIX = "console";

  private static final ObjectMapper BODY =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /** A write this console refuses to make (403 {@code forbidden}). */
  static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message, null, false, false);
    }
  }

  private final Pipekeeper pk;
  private final Api api;
  private final OperatorTokens operators;

  Writes(Pipekeeper pk, Api api, OperatorTokens operators) {
    this.pk = pk;
    this.api = api;
    this.operators = operators;
  }

  /** {@code PUT .../config/keys/{key}?scope=S}: {@code {value, expectedVersion?, comment?}}. */
  void set(Context ctx) {
    String operator = operator(ctx);
    api.cluster(ctx.pathParam("cluster"));
    Scope scope = Api.scope(ctx);
    String key = ConfigKeys.check(ctx.pathParam("key"));
    JsonNode body = body(ctx);
    JsonNode value = body.get("value");
    if (value == null || value.isNull()) {
      throw new InvalidInputException(
          "the body needs a value (JSON null is no value: apply {\"" + key + "\": null} deletes)");
    }
    ChangeOptions options = options(operator, body, "the key's");
    ConfigCommit commit =
        guard(scope, List.of(key), () -> pk.config().set(scope, key, value, options));
    send(ctx, commit, operator);
  }

  /**
   * {@code POST .../config/apply?scope=S}: {@code {changes: {KEY: VALUE|null}, expectedVersion?,
   * comment?}}, one atomic change; null deletes the key.
   */
  void apply(Context ctx) {
    String operator = operator(ctx);
    api.cluster(ctx.pathParam("cluster"));
    Scope scope = Api.scope(ctx);
    JsonNode body = body(ctx);
    Map<String, JsonNode> changes = changes(body);
    ChangeOptions options = options(operator, body, "the scope's");
    ConfigCommit commit =
        guard(scope, changes.keySet(), () -> pk.config().apply(scope, changes, options));
    send(ctx, commit, operator);
  }

  /**
   * {@code POST .../config/keys/{key}/rollback?scope=S}: {@code {sequence, expectedVersion?,
   * comment?}}, the value after history entry {@code sequence}, as a new change.
   */
  void rollback(Context ctx) {
    String operator = operator(ctx);
    api.cluster(ctx.pathParam("cluster"));
    Scope scope = Api.scope(ctx);
    String key = ConfigKeys.check(ctx.pathParam("key"));
    JsonNode body = body(ctx);
    int sequence = integer(body, "sequence").orElseThrow(() -> missing("sequence"));
    ChangeOptions options = options(operator, body, "the scope's");
    ConfigCommit commit =
        guard(scope, List.of(key), () -> pk.config().rollback(scope, key, sequence, options));
    send(ctx, commit, operator);
  }

  /**
   * {@code POST .../config/check?scope=S}: {@code {changes: {...}}}, checked as apply checks them,
   * nothing written; answers {@code {valid, problems}}. Needs no token: it changes nothing.
   */
  void check(Context ctx) {
    api.cluster(ctx.pathParam("cluster"));
    Scope scope = Api.scope(ctx);
    Map<String, JsonNode> changes = changes(body(ctx));
    Map<String, Object> json = new LinkedHashMap<>();
    try {
      guard(
          scope,
          changes.keySet(),
          () -> {
            pk.config().check(scope, changes);
            return null;
          });
      json.put("valid", true);
      json.put("problems", List.of());
    } catch (InvalidInputException refused) {
      json.put("valid", false);
      json.put("problems", List.of(refused.getMessage()));
    }
    ctx.contentType("application/json").result(ViewJson.write(json));
  }

  /**
   * The operator the request is made by: refused unless this console has writers, the request is
   * not cross-origin, and its bearer token is a writer's.
   */
  private String operator(Context ctx) {
    if (!operators.writable()) {
      throw new Refused(
          "this console is read-only: it was started without an operator of the writer role"
              + " (pipekeeper console --operator-tokens FILE)");
    }
    refuseCrossOrigin(ctx);
    String authorization = ctx.header("Authorization");
    if (authorization == null || authorization.isBlank()) {
      ctx.header("WWW-Authenticate", "Bearer");
      throw new Refused("a change needs an operator token: Authorization: Bearer TOKEN");
    }
    String[] parts = authorization.strip().split("\\s+", 2);
    if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer")) {
      ctx.header("WWW-Authenticate", "Bearer");
      throw new Refused("a change needs an operator token: Authorization: Bearer TOKEN");
    }
    OperatorTokens.Known known =
        operators
            .operator(parts[1].strip())
            .orElseThrow(
                () -> {
                  ctx.header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
                  return new Refused("the operator token is not one this console knows");
                });
    if (known.role() != OperatorTokens.Role.WRITER) {
      ctx.header("WWW-Authenticate", "Bearer error=\"insufficient_scope\"");
      throw new Refused(
          "operator "
              + known.name()
              + " has the "
              + known.role().label()
              + " role: a change needs the writer role");
    }
    return known.name();
  }

  /**
   * A browser says where a request comes from: {@code Sec-Fetch-Site} (all current browsers) and
   * {@code Origin} (on every POST and PUT). Either naming another site or origin is refused, so a
   * page elsewhere cannot change the cluster through an operator's browser. Clients that are no
   * browser send neither.
   */
  private static void refuseCrossOrigin(Context ctx) {
    String site = ctx.header("Sec-Fetch-Site");
    if (site != null) {
      String s = site.strip().toLowerCase(Locale.ROOT);
      if (!s.equals("same-origin") && !s.equals("none")) {
        throw new Refused("a change must come from the console's own page, not from " + s);
      }
    }
    String origin = ctx.header("Origin");
    if (origin != null) {
      String host = ctx.header("Host");
      String from;
      try {
        URI uri = URI.create(origin.strip());
        from = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
      } catch (IllegalArgumentException e) {
        from = null;
      }
      if (from == null || host == null || !stripDefaultPort(host).equals(stripDefaultPort(from))) {
        throw new Refused("a change must come from the console's own page, not from " + origin);
      }
    }
  }

  private static String stripDefaultPort(String hostPort) {
    String lower = hostPort.strip().toLowerCase(Locale.ROOT);
    return lower.endsWith(":80") ? lower.substring(0, lower.length() - 3) : lower;
  }

  private static JsonNode body(Context ctx) {
    String text = ctx.body();
    if (text.isBlank()) {
      throw new InvalidInputException("the request needs a JSON object as its body");
    }
    JsonNode body;
    try {
      body = BODY.readTree(text);
    } catch (IOException e) {
      // Not quoted: the body may hold a secret.
      throw new InvalidInputException("the body is not valid JSON");
    }
    if (body == null || !body.isObject()) {
      throw new InvalidInputException("the body must be a JSON object");
    }
    return body;
  }

  private static Map<String, JsonNode> changes(JsonNode body) {
    JsonNode given = body.get("changes");
    if (given == null || !given.isObject()) {
      throw new InvalidInputException(
          "the body needs changes: an object of key to value (null deletes the key)");
    }
    Map<String, JsonNode> changes = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : given.properties()) {
      changes.put(
          ConfigKeys.check(field.getKey()), field.getValue().isNull() ? null : field.getValue());
    }
    if (changes.isEmpty()) {
      throw new InvalidInputException("changes has no keys: nothing to do");
    }
    return changes;
  }

  /** Who (the operator), why (the console and the comment given) and at which version. */
  private static ChangeOptions options(String operator, JsonNode body, String whose) {
    JsonNode comment = body.get("comment");
    if (comment != null && !comment.isNull() && !comment.isTextual()) {
      throw new InvalidInputException("comment must be text");
    }
    String text = comment == null || comment.isNull() ? "" : comment.asText().strip();
    OptionalInt expected = OptionalInt.empty();
    Optional<Integer> version = integer(body, "expectedVersion");
    if (version.isPresent()) {
      if (version.get() < 0) {
        throw new InvalidInputException(
            "expectedVersion (" + whose + " version) must be 0 or more, not " + version.get());
      }
      expected = OptionalInt.of(version.get());
    }
    return new ChangeOptions(
        operator, text.isEmpty() ? COMMENT_PREFIX : COMMENT_PREFIX + ": " + text, expected);
  }

  private static Optional<Integer> integer(JsonNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw new InvalidInputException(field + " must be a whole number");
    }
    return Optional.of(node.intValue());
  }

  private static InvalidInputException missing(String field) {
    return new InvalidInputException("the body needs " + field);
  }

  /**
   * Runs a write of {@code keys}; if a secret key's value is refused by its schema, the message
   * keeps the reason's kind but not its details, which may quote the value (as the CLI does).
   */
  private <T> T guard(Scope scope, Collection<String> keys, Supplier<T> write) {
    return Secrets.guardRefusal(pk.config(), scope, keys, write);
  }

  private static void send(Context ctx, ConfigCommit commit, String operator) {
    Map<String, Object> json = Views.commit(commit);
    json.put("who", operator);
    ctx.contentType("application/json").result(ViewJson.write(json));
  }
}
