package dev.pipekeeper.core.ensemble;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.zookeeper.client.FourLetterWordMain;
import org.apache.zookeeper.common.X509Exception;

/**
 * Asks each server of an ensemble about itself with ZooKeeper's {@code srvr} command, which every
 * server allows unless an operator removed it from {@code 4lw.commands.whitelist}. The servers are
 * asked in parallel, so the whole probe takes at most one timeout; a single server is asked on the
 * calling thread.
 */
public final class EnsembleProbe {
  private final Duration timeout;
  private final Executor executor;

  /**
   * A probe that starts a thread per server for each probe of several servers: for a one-off.
   *
   * @param timeout how long to wait for each server's connection and answer
   */
  public EnsembleProbe(Duration timeout) {
    this(timeout, null);
  }

  /**
   * A probe that asks several servers on {@code executor}'s threads: for probing again and again.
   * The executor must run as many tasks at once as there are servers, or the probe takes longer
   * than one timeout; the caller shuts it down.
   *
   * @param timeout how long to wait for each server's connection and answer
   */
  public EnsembleProbe(Duration timeout, Executor executor) {
    this.timeout = timeout;
    this.executor = executor;
  }

  /**
   * Probes every server of {@code connectString}; never throws for an unreachable server, which is
   * reported in its {@link ServerStatus}.
   *
   * @throws dev.pipekeeper.core.InvalidInputException if the connect string is malformed
   */
  public List<ServerStatus> probe(String connectString) {
    List<HostAndPort> servers = ZkConnectString.parse(connectString).servers();
    if (servers.size() == 1) {
      return List.of(probe(servers.get(0)));
    }
    if (executor != null) {
      return probe(servers, executor);
    }
    ExecutorService pool = Executors.newFixedThreadPool(servers.size());
    try {
      return probe(servers, pool);
    } finally {
      pool.shutdownNow();
    }
  }

  private List<ServerStatus> probe(List<HostAndPort> servers, Executor on) {
    List<CompletableFuture<ServerStatus>> answers =
        servers.stream()
            .map(server -> CompletableFuture.supplyAsync(() -> probe(server), on))
            .toList();
    return answers.stream().map(CompletableFuture::join).toList();
  }

  private ServerStatus probe(HostAndPort server) {
    String address = server.toString();
    String answer;
    try {
      answer =
          FourLetterWordMain.send4LetterWord(
              server.host(), server.port(), "srvr", false, (int) timeout.toMillis());
    } catch (ConnectException e) {
      return ServerStatus.unreachable(address, "connection refused");
    } catch (SocketTimeoutException e) {
      return ServerStatus.unreachable(address, "no answer within " + timeout.toMillis() + " ms");
    } catch (UnknownHostException e) {
      return ServerStatus.unreachable(address, "unknown host " + server.host());
    } catch (IOException | X509Exception e) {
      return ServerStatus.unreachable(
          address, e.getMessage() == null ? e.toString() : e.getMessage());
    }
    return parseSrvr(address, answer);
  }

  /** Reads a {@code srvr} answer: {@code key: value} lines, or one line of refusal. */
  static ServerStatus parseSrvr(String address, String answer) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line : answer.split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        fields.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
      }
    }
    Optional<String> version =
        Optional.ofNullable(fields.get("Zookeeper version")).map(v -> v.split("[-,\\s]", 2)[0]);
    Optional<String> mode = Optional.ofNullable(fields.get("Mode"));
    if (mode.isPresent()) {
      return new ServerStatus(address, true, true, version, mode, fields, Optional.empty());
    }
    String why = answer.isBlank() ? "empty answer to srvr" : answer.trim();
    return new ServerStatus(address, true, false, version, mode, fields, Optional.of(why));
  }
}
