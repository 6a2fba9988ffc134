package dev.pipekeeper.core.security.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;

/**
 * JAAS sections of Pipekeeper's connections, one per connection, in a {@link Configuration} that
 * answers for those and asks the JVM's existing configuration (a {@code
 * java.security.auth.login.config} file, or whatever was installed before) for every other name.
 *
 * <p>JAAS has one configuration per JVM, which ZooKeeper's client looks its section up in by name
 * ({@code zookeeper.sasl.clientconfig}). Installing this chained configuration is the one JVM-wide
 * change Pipekeeper makes; it changes nothing for other names. Something that installs a
 * configuration of its own later replaces it: a connection registered before then fails its next
 * SASL login, and the next {@link #register} installs the chain again on top of it.
 */
public final class JaasSections extends Configuration {
  private static final AtomicLong SEQUENCE = new AtomicLong();

  private static final Map<String, AppConfigurationEntry[]> SECTIONS = new ConcurrentHashMap<>();

  private final Configuration previous;

  private JaasSections(Configuration previous) {
    this.previous = previous;
  }

  /**
   * Adds a section holding {@code entries} and returns its name, unique in this JVM: {@code
   * Pipekeeper-N-LABEL}.
   */
  public static String register(String label, AppConfigurationEntry... entries) {
    String name = "Pipekeeper-" + SEQUENCE.incrementAndGet() + "-" + label;
    SECTIONS.put(name, entries.clone());
    install();
    return name;
  }

  /** Removes a section (its connection closed). */
  public static void unregister(String name) {
    SECTIONS.remove(name);
  }

  private static synchronized void install() {
    Configuration current = current();
    if (current instanceof JaasSections) {
      return;
    }
    Configuration.setConfiguration(new JaasSections(current));
  }

  private static Configuration current() {
    try {
      return Configuration.getConfiguration();
    } catch (SecurityException noneReadable) {
      // No configuration file, or one that cannot be read: ours is then the only one.
      return null;
    }
  }

  @Override
  public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
    AppConfigurationEntry[] ours = SECTIONS.get(name);
    if (ours != null) {
      return ours.clone();
    }
    return previous != null ? previous.getAppConfigurationEntry(name) : null;
  }

  @Override
  public void refresh() {
    if (previous != null) {
      previous.refresh();
    }
  }
}
