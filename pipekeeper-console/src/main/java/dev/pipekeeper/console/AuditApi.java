package dev.pipekeeper.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipekeeper.console.views.ViewJson;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Names;
import dev.pipekeeper.core.NotFoundException;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET .../audit}: pages of the cluster's audit events from the console's {@link AuditFeed},
 * 404 on a console that has none. It needs no ZooKeeper: the events are read from where the feed
 * reads them.
 */
final class AuditApi {
  /** Events a page has unless {@code limit} says. */
  static final int DEFAULT_LIMIT = 100;

  /** The most events one page has. */
  static final int MAX_LIMIT = 1000;

  private final String cluster;
  private final AuditFeed feed;

  /** Pages of {@code feed} for {@code cluster}; {@code feed} null: this console has no audit. */
  AuditApi(String cluster, AuditFeed feed) {
    this.cluster = cluster;
    this.feed = feed;
  }

  /** {@code ?since=TIME|AGE&limit=N}: {@code {source, events, more}}. */
  void page(Context ctx) {
    String name = Names.check("cluster", ctx.pathParam("cluster"));
    if (!name.equals(cluster)) {
      throw new NotFoundException(
          "no cluster " + name + " here (this console shows " + cluster + ")");
    }
    if (feed == null) {
      throw new NotFoundException(
          "this console has no audit feed (pipekeeper console --audit-topic TOPIC)");
    }
    int limit = limit(ctx.queryParam("limit"));
    String since = ctx.queryParam("since");
    List<JsonNode> events = feed.page(since == null || since.isBlank() ? null : since, limit + 1);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("source", feed.source());
    json.put("events", events.subList(0, Math.min(limit, events.size())));
    json.put("more", events.size() > limit);
    ctx.contentType("application/json").result(ViewJson.write(json));
  }

  private static int limit(String text) {
    if (text == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(text.strip());
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw new InvalidInputException(
        "limit must be a whole number from 1 to " + MAX_LIMIT + ", not '" + text + "'");
  }

  /** The feed's source, or null: for {@code /api/v1/health}. */
  String source() {
    return feed == null ? null : feed.source();
  }
}
