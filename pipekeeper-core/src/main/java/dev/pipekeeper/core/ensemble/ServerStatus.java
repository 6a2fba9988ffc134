package dev.pipekeeper.core.ensemble;

import java.util.Map;
import java.util.Optional;

/**
 * What one ZooKeeper server says of itself through its {@code srvr} command.
 *
 * @param address the server as given in the connect string
 * @param reachable whether it answered at all
 * @param serving whether it serves requests (a quorum peer without a quorum does not)
 * @param version the server version, e.g. {@code 3.9.5}, if it told
 * @param mode {@code standalone}, {@code leader}, {@code follower} or {@code observer}, if serving
 * @param fields every {@code key: value} line of the answer
 * @param error why it is not reachable or not serving, when it is not
 */
public record ServerStatus(
    String address,
    boolean reachable,
    boolean serving,
    Optional<String> version,
    Optional<String> mode,
    Map<String, String> fields,
    Optional<String> error) {

  public ServerStatus {
    fields = Map.copyOf(fields);
  }

  static ServerStatus unreachable(String address, String error) {
    return new ServerStatus(
        address, false, false, Optional.empty(), Optional.empty(), Map.of(), Optional.of(error));
  }
}
