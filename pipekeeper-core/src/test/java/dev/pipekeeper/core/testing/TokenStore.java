package dev.pipekeeper.core.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * An external store that fences writers by token, as a user's database would: it accepts a write
 * only if its token is at least the greatest it has accepted.
 */
public final class TokenStore {
  private long greatest;
  private final List<String> accepted = new ArrayList<>();
  private final List<String> rejected = new ArrayList<>();

  public synchronized boolean write(String writer, long token) {
    if (token < greatest) {
      rejected.add(writer + "@" + token);
      return false;
    }
    greatest = token;
    accepted.add(writer + "@" + token);
    return true;
  }

  public synchronized long greatest() {
    return greatest;
  }

  public synchronized List<String> accepted() {
    return List.copyOf(accepted);
  }

  public synchronized List<String> rejected() {
    return List.copyOf(rejected);
  }
}
