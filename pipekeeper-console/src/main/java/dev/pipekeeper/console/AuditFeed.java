package dev.pipekeeper.console;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where the console finds the cluster's audit events ({@code pipekeeper audit} writes them to a
 * Kafka topic): pages of past events for {@code GET .../audit}, and each new one, which the console
 * sends on its event stream as {@code audit}. Given by {@link ConsoleBuilder#audit}; the console
 * keeps Kafka out of its own dependencies, so the implementation lives with the reader (the app's
 * {@code --audit-topic}, on {@code pipekeeper-connect}'s {@code AuditReader}). Implementations are
 * thread-safe: pages are asked for on the console's request threads while it follows.
 */
public interface AuditFeed extends AutoCloseable {

  /** What the events are read from, as the console names it ({@code /api/v1/health}). */
  String source();

  /**
   * The first {@code limit} events at or after {@code since}, oldest first, each the JSON object as
   * written.
   *
   * @param since an instant ({@code 2026-12-03T10:00:00Z}) or an age ({@code 10m}), as {@code
   *     pipekeeper audit tail --since} takes it; null for the oldest kept
   * @throws dev.pipekeeper.core.InvalidInputException if {@code since} is neither
   * @throws dev.pipekeeper.core.UnreachableException if the events cannot be read now
   */
  List<JsonNode> page(String since, int limit);

  /**
   * Starts calling {@code listener} with each event written from now on, on a thread of the feed's
   * own, until closed. Called once, when the console starts.
   */
  void follow(Consumer<JsonNode> listener);

  /** Stops following. The console closes its feed when it closes. Safe twice. */
  @Override
  void close();
}
