package dev.pipekeeper.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipekeeper.core.InvalidInputException;
import java.util.Collection;
import java.util.function.Supplier;

/**
 * Secret values, masked in every CLI and log output.
 *
 * <p><b>The rule</b> (one for the library and the CLI, {@link Configuration#isSecret}): a key is
 * secret in every scope once a JSON Schema with {@code "writeOnly": true} has been set for it in
 * any scope. A key's value resolves across scopes (member over pipeline over global), so a value
 * set in one scope can be what the members of a scope where the key is secret run with. Setting
 * such a schema leaves a marker on the key ({@code config-secret/KEY}) that deleting or replacing
 * the schema keeps: the key, its values in every scope and its history stay masked until the
 * secrecy is removed on purpose with {@link Configuration#reveal}, which is recorded in the key's
 * history. A {@code writeOnly} schema without a marker (written before markers existed) still makes
 * the key secret in its own scope, and a global one in every scope; changing or deleting such a
 * schema leaves the marker.
 */
public final class Secrets {
  public static final String MASK = "\"******\"";

  private Secrets() {}

  /** Whether {@code schema} marks its key secret. */
  public static boolean isSecret(JsonNode schema) {
    return schema != null && schema.path("writeOnly").asBoolean(false);
  }

  /** {@code value} as printed, masked if {@code secret}. */
  public static String display(JsonNode value, boolean secret) {
    if (value == null) {
      return "(none)";
    }
    return secret ? MASK : value.toString();
  }

  /**
   * Runs {@code write}, a change of {@code keys} in {@code scope}. If it is refused because a
   * secret key's value does not fit (its schema, its size), the refusal keeps the reason's kind but
   * not its details, which may quote the value: {@code config SCOPE KEY: REASON (details are not
   * shown: the key is secret)}. Whether a key is secret is read now (a schema may have changed); if
   * that cannot be read, the key is taken as secret. The one rule for every writer that shows
   * refusals (the CLI, the console).
   *
   * @throws InvalidInputException the refusal, its details cut for a secret key
   */
  public static <T> T guardRefusal(
      Configuration config, Scope scope, Collection<String> keys, Supplier<T> write) {
    try {
      return write.get();
    } catch (InvalidInputException refused) {
      String message = refused.getMessage() == null ? "" : refused.getMessage();
      for (String key : keys) {
        String prefix = "config " + scope + " " + key + ": ";
        if (message.startsWith(prefix) && secretNow(config, scope, key)) {
          int details = message.indexOf(':', prefix.length());
          if (details >= 0) {
            throw new InvalidInputException(
                message.substring(0, details) + " (details are not shown: the key is secret)");
          }
        }
      }
      throw refused;
    }
  }

  private static boolean secretNow(Configuration config, Scope scope, String key) {
    try {
      return config.isSecret(scope, key);
    } catch (RuntimeException e) {
      return true;
    }
  }
}
