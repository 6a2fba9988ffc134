package dev.pipekeeper.core.monitor.internal;

import dev.pipekeeper.core.monitor.Rule;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** What every rule family builds its conditions with. */
final class Conditions {
  private Conditions() {}

  /** An alert's key: the rule's name, then its subject ({@code member-down/ingest/m3}). */
  static String key(Rule rule, String... parts) {
    return rule.name() + "/" + String.join("/", parts);
  }

  /** Labels from name, value pairs, in order. */
  static Map<String, String> labels(String... pairs) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      labels.put(pairs[i], pairs[i + 1]);
    }
    return labels;
  }

  /** Whether a rule narrowed to {@code group} (or to none) covers {@code g}. */
  static boolean covers(Optional<String> group, String g) {
    return group.isEmpty() || group.get().equals(g);
  }
}
