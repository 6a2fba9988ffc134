package dev.pipekeeper.core.config.internal;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.internal.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The scopes stored under a folder: the one listing configuration and the monitor read. */
public final class ScopeListing {
  private static final Logger LOG = LoggerFactory.getLogger(ScopeListing.class);

  private ScopeListing() {}

  /**
   * The scopes with a folder under {@code root} ({@code config} or {@code config-schema}), global
   * first, then pipelines and members in the order listed; a node there that is no scope name
   * (written behind Pipekeeper's back) is skipped. Costs three listings.
   */
  public static List<Scope> scopes(Session session, String root) {
    List<Scope> scopes = new ArrayList<>();
    if (session.children(root).contains("global")) {
      scopes.add(Scope.global());
    }
    for (Scope.Kind kind : List.of(Scope.Kind.PIPELINE, Scope.Kind.MEMBER)) {
      String folder = kind.name().toLowerCase(Locale.ROOT);
      for (String name : session.children(root + "/" + folder)) {
        try {
          scopes.add(new Scope(kind, name));
        } catch (InvalidInputException foreign) {
          LOG.debug(
              "skipping {}/{}/{}, written behind Pipekeeper's back: not a scope name",
              root,
              folder,
              name);
        }
      }
    }
    return scopes;
  }
}
