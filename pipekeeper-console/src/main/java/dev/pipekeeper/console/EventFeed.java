package dev.pipekeeper.console;

import dev.pipekeeper.console.views.ViewJson;
import io.javalin.http.sse.SseClient;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one stream of server-sent events: each event gets the next id (1, 2, ...) and is kept in a
 * bounded ring of recent ones, so that a client reconnecting with {@code Last-Event-ID} is sent
 * what it missed. One whose id is older than the ring (or from another console run) is sent a
 * {@code reset} event: it must read the state again. Every client first gets a {@code ready} event
 * (no id) with the latest id, once it is subscribed.
 *
 * <p>Thread-safe: events are numbered, kept and sent under one lock, so every client sees them in
 * id order, with no gap between what it is replayed and what follows. A client whose connection
 * fails is dropped.
 */
final class EventFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventFeed.class);

  /** An event as kept: its id, type and JSON data. */
  record Event(long id, String type, String data) {}

  private final int capacity;
  private final ArrayDeque<Event> ring = new ArrayDeque<>();
  private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object();
  private long lastId;
  private boolean closed;

  EventFeed(int capacity) {
    this.capacity = capacity;
  }

  /** Numbers {@code data} (written as JSON now), keeps it and sends it to every client. */
  void publish(String type, Object data) {
    String json = ViewJson.write(data);
    synchronized (lock) {
      if (closed) {
        return;
      }
      Event event = new Event(++lastId, type, json);
      ring.addLast(event);
      if (ring.size() > capacity) {
        ring.removeFirst();
      }
      for (SseClient client : clients) {
        send(client, event);
      }
    }
  }

  /** The SSE handler: replays what a reconnecting client missed, then keeps it subscribed. */
  void subscribe(SseClient client) {
    client.keepAlive();
    client.onClose(() -> clients.remove(client));
    synchronized (lock) {
      if (closed) {
        client.close();
        return;
      }
      String last = client.ctx().header("Last-Event-ID");
      if (last != null && !last.isBlank()) {
        resume(client, last.strip());
      }
      Map<String, Object> ready = new LinkedHashMap<>();
      ready.put("latestId", lastId);
      client.sendEvent("ready", ViewJson.write(ready));
      clients.add(client);
    }
  }

  /** Under the lock: what the client missed after {@code last}, or a reset if that is gone. */
  private void resume(SseClient client, String last) {
    long id;
    try {
      id = Long.parseLong(last);
    } catch (NumberFormatException e) {
      id = -1;
    }
    long oldest = ring.isEmpty() ? lastId + 1 : ring.peekFirst().id();
    if (id < 0 || id > lastId || id < oldest - 1) {
      Map<String, Object> reset = new LinkedHashMap<>();
      reset.put("lastEventId", last);
      reset.put("latestId", lastId);
      reset.put(
          "reason",
          id > lastId || id < 0
              ? "not an event of this console: read the state again"
              : "older than the " + ring.size() + " events kept: read the state again");
      client.sendEvent("reset", ViewJson.write(reset), Long.toString(lastId));
      return;
    }
    for (Event event : ring) {
      if (event.id() > id) {
        send(client, event);
      }
    }
  }

  /** A comment line to every client, so idle connections stay open through proxies. */
  void keepAlive() {
    synchronized (lock) {
      for (SseClient client : clients) {
        try {
          client.sendComment("keep-alive");
        } catch (RuntimeException e) {
          drop(client, e);
        }
      }
    }
  }

  /** The events kept now, oldest first. */
  List<Event> recent() {
    synchronized (lock) {
      return List.copyOf(ring);
    }
  }

  private void send(SseClient client, Event event) {
    try {
      if (client.terminated()) {
        clients.remove(client);
        return;
      }
      client.sendEvent(event.type(), event.data(), Long.toString(event.id()));
    } catch (RuntimeException e) {
      drop(client, e);
    }
  }

  private void drop(SseClient client, RuntimeException e) {
    LOG.debug("dropping an event client: {}", e.toString());
    clients.remove(client);
    try {
      client.close();
    } catch (RuntimeException ignored) {
      // already gone
    }
  }

  /** Ends every open stream; later events are dropped. Safe twice. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      for (SseClient client : clients) {
        try {
          client.close();
        } catch (RuntimeException e) {
          LOG.debug("closing an event client: {}", e.toString());
        }
      }
      clients.clear();
    }
  }
}
