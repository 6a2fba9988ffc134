package dev.pipekeeper.core.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaId;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.pipekeeper.core.Names;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.PatternSyntaxException;

/** JSON Schema (draft 2020-12) validation of configuration values, with networknt's validator. */
public final class SchemaCheck {
  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

  /** Compiled schemas by their JSON: a reload validates with the same few schemas again. */
  private static final Map<JsonNode, JsonSchema> COMPILED = new ConcurrentHashMap<>();

  private static final int MAX_CACHED = 1000;

  /**
   * The draft 2020-12 meta-schema, which every schema must satisfy (the validator ships it: it is
   * read from its jar, not from the network). Without this check a schema such as {@code
   * {"type":"nonsense"}} compiles, and then refuses every value.
   */
  private static final JsonSchema META_SCHEMA =
      FACTORY.getSchema(SchemaLocation.of(SchemaId.V202012));

  /** A validator's message longer than this is cut (it may quote the schema or the value). */
  private static final int MESSAGE_MAX = 300;

  private SchemaCheck() {}

  /** Why {@code value} fails {@code schema}, one message per problem; empty if it passes. */
  public static List<String> errors(JsonNode schema, JsonNode value) {
    if (COMPILED.size() > MAX_CACHED) {
      COMPILED.clear();
    }
    JsonSchema compiled = COMPILED.computeIfAbsent(schema, FACTORY::getSchema);
    Set<ValidationMessage> messages = compiled.validate(value);
    return messages.stream()
        .map(m -> Names.printable(m.getMessage(), MESSAGE_MAX))
        .sorted()
        .toList();
  }

  /**
   * Checks that {@code schema} is a valid JSON Schema: an object or a boolean that satisfies the
   * draft 2020-12 meta-schema and compiles.
   *
   * @return why not, one message per problem, or empty
   */
  public static List<String> schemaProblems(JsonNode schema) {
    if (schema == null || !(schema.isObject() || schema.isBoolean())) {
      return List.of("a JSON Schema must be a JSON object or a boolean");
    }
    List<String> invalid =
        META_SCHEMA.validate(schema).stream()
            .map(m -> Names.printable(m.getMessage(), MESSAGE_MAX))
            .distinct()
            .sorted()
            .toList();
    if (!invalid.isEmpty()) {
      return List.of(
          "it does not satisfy the JSON Schema draft 2020-12 meta-schema: "
              + String.join("; ", invalid));
    }
    try {
      FACTORY.getSchema(schema).initializeValidators();
      return List.of();
    } catch (RuntimeException e) {
      // A library's message may span lines and name its own classes (a pattern that is no regular
      // expression: java.util.regex.PatternSyntaxException and the pattern drawn under a caret).
      for (Throwable cause = e; cause != null; cause = cause.getCause()) {
        if (cause instanceof PatternSyntaxException bad) {
          return List.of(
              "the pattern "
                  + Names.quote(bad.getPattern())
                  + " is not a regular expression: "
                  + Names.printable(bad.getDescription(), MESSAGE_MAX));
        }
      }
      String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      return List.of(Names.printable(message, MESSAGE_MAX));
    }
  }
}
