package dev.pipekeeper.app.cli;

import dev.pipekeeper.core.config.Configuration;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.config.Secrets;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Which keys are secret, for output: the core's one rule ({@link Configuration#isSecret}, see
 * {@link Secrets}) for the scopes shown; and refusals of secret values that keep the value out.
 */
final class Secrecy {
  private final Configuration config;
  private final List<Scope> scopes;
  private final Map<String, Boolean> known = new HashMap<>();

  private Secrecy(Configuration config, List<Scope> scopes) {
    this.config = config;
    this.scopes = List.copyOf(scopes);
  }

  /** For keys of {@code scope}. */
  static Secrecy of(Configuration config, Scope scope) {
    return new Secrecy(config, List.of(scope));
  }

  /** For keys of a view resolving {@code scopes}. */
  static Secrecy across(Configuration config, List<Scope> scopes) {
    return new Secrecy(config, scopes);
  }

  /** Whether {@code key} is secret (read once per key). */
  boolean isSecret(String key) {
    return known.computeIfAbsent(key, this::readSecret);
  }

  /**
   * Whether {@code key} is secret as of now (not remembered: a long-running command sees schemas
   * change); if that cannot be read, it is taken as secret.
   */
  boolean isSecretNow(String key) {
    try {
      return readSecret(key);
    } catch (RuntimeException e) {
      return true;
    }
  }

  private boolean readSecret(String key) {
    return scopes.stream().anyMatch(scope -> config.isSecret(scope, key));
  }

  /**
   * Runs a write of {@code keys}; if it is refused because a secret key's value does not match its
   * schema, the message keeps the reason's kind but not its details, which may quote the value.
   */
  <T> T guard(Scope scope, Collection<String> keys, Supplier<T> write) {
    return Secrets.guardRefusal(config, scope, keys, write);
  }
}
