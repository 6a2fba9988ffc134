package dev.pipekeeper.core.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Secret values: a key whose JSON Schema has {@code "writeOnly": true} is secret, and its value is
 * masked in every CLI and log output.
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
