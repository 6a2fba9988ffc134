package dev.pipekeeper.core.config;

import java.util.List;

/**
 * A scope's keys as {@link Configuration#listing(Scope)} reads them: the readable entries, and the
 * nodes it skipped. Nodes written behind Pipekeeper's back (with zkCli or another tool) whose name
 * is not a config key, or whose value is not valid JSON, are reported here and kept out; they never
 * hide the good keys.
 *
 * @param scope the scope listed
 * @param entries its readable keys, sorted
 * @param skipped the nodes kept out, sorted by name
 */
public record ConfigListing(Scope scope, List<ConfigEntry> entries, List<Skipped> skipped) {
  public ConfigListing {
    entries = List.copyOf(entries);
    skipped = List.copyOf(skipped);
  }

  /**
   * A node kept out of a listing.
   *
   * @param name the node's name under the scope's folder
   * @param reason why, e.g. that it is not a config key name or its value is not valid JSON; never
   *     the value itself
   */
  public record Skipped(String name, String reason) {}
}
