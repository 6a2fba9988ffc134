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
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.X509Exception;

/**
 * Asks each server of an ensemble about itself with ZooKeeper's {@code srvr} command, which every
 * server allows unless an operator removed it from {@code 4lw.commands.whitelist}. The servers are
 * asked in parallel, so the whole probe takes at most one timeout; a single server is asked on the
 * calling thread.
 *
 * <p>Given a connection's {@link ZKClientConfig} with {@code zookeeper.client.secure}, the servers
 * are asked over TLS with that config's truststore, keystore and hostname verification, as the
 * connection itself talks to them; a secure client port answers a plaintext {@code srvr} with
 * silence, which a plaintext probe reports as a port that takes TLS only.
 */
public final class EnsembleProbe {
  private static final String TLS_ONLY =
      "the port takes TLS only and this probe is plaintext: give a truststore"
          + " (zookeeper.client.secure in the client file)";

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
    return probe(connectString, null);
  }

  /**
   * Probes every server of {@code connectString} as a connection with {@code clientConfig} talks to
   * them: over TLS if it says {@code zookeeper.client.secure}, else plaintext (also when {@code
   * clientConfig} is null). Never throws for an unreachable server, which is reported in its {@link
   * ServerStatus}.
   *
   * @throws dev.pipekeeper.core.InvalidInputException if the connect string is malformed
   */
  public List<ServerStatus> probe(String connectString, ZKClientConfig clientConfig) {
    List<HostAndPort> servers = ZkConnectString.parse(connectString).servers();
    boolean tls = clientConfig != null && clientConfig.getBoolean(ZKClientConfig.SECURE_CLIENT);
    ZKClientConfig config = tls ? clientConfig : null;
    if (servers.size() == 1) {
      return List.of(probe(servers.get(0), config));
    }
    if (executor != null) {
      return probe(servers, config, executor);
    }
    ExecutorService pool = Executors.newFixedThreadPool(servers.size());
    try {
      return probe(servers, config, pool);
    } finally {
      pool.shutdownNow();
    }
  }

  private List<ServerStatus> probe(List<HostAndPort> servers, ZKClientConfig tls, Executor on) {
    List<CompletableFuture<ServerStatus>> answers =
        servers.stream()
            .map(server -> CompletableFuture.supplyAsync(() -> probe(server, tls), on))
            .toList();
    return answers.stream().map(CompletableFuture::join).toList();
  }

  /** Asks one server; over TLS with {@code tls}'s stores when it is not null. */
  private ServerStatus probe(HostAndPort server, ZKClientConfig tls) {
    String address = server.toString();
    int millis = (int) timeout.toMillis();
    String answer;
    try {
      answer =
          tls != null
              ? FourLetterWordMain.send4LetterWord(
                  server.host(), server.port(), "srvr", tls, millis)
              : FourLetterWordMain.send4LetterWord(
                  server.host(), server.port(), "srvr", false, millis);
    } catch (ConnectException e) {
      return ServerStatus.unreachable(address, "connection refused");
    } catch (SocketTimeoutException e) {
      if (tls == null && takesTlsOnly(server)) {
        return tlsOnly(address);
      }
      return ServerStatus.unreachable(address, "no answer within " + timeout.toMillis() + " ms");
    } catch (UnknownHostException e) {
      return ServerStatus.unreachable(address, "unknown host " + server.host());
    } catch (IOException | X509Exception e) {
      if (tls == null && takesTlsOnly(server)) {
        return tlsOnly(address);
      }
      return ServerStatus.unreachable(
          address, e.getMessage() == null ? e.toString() : e.getMessage());
    }
    if (tls == null && answer.isBlank() && takesTlsOnly(server)) {
      return tlsOnly(address);
    }
    return parseSrvr(address, answer);
  }

  /** A server that takes a TCP connection and then TLS only: reachable, not serving this probe. */
  private static ServerStatus tlsOnly(String address) {
    return new ServerStatus(
        address, true, false, Optional.empty(), Optional.empty(), Map.of(), Optional.of(TLS_ONLY));
  }

  private boolean takesTlsOnly(HostAndPort server) {
    return PortProbe.firstAnsweringTls(List.of(server), timeout).isPresent();
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
