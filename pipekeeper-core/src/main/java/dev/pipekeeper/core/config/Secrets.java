package dev.pipekeeper.core.config;

import com.fasterxml.jackson.databind.JsonNode;

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
}
