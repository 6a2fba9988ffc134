package dev.pipekeeper.connect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.policy.ConnectorClientConfigOverridePolicy;
import org.apache.kafka.connect.connector.policy.ConnectorClientConfigRequest;

/**
 * A worker's {@code connector.client.config.override.policy} that lets a connector override any
 * client setting ({@code producer.override.*}, {@code consumer.override.*}, {@code
 * admin.override.*}) except those that make the client load a class ({@link ClassLoadingSettings}:
 * CVE-2023-25194's {@code sasl.jaas.config} with a foreign login module, interceptors, metric
 * reporters, serializers, callback handlers, config providers), unless the worker's {@value
 * #ALLOWED_CONFIG} lists the key. {@code pipekeeper bridge} runs its worker with it; on a Connect
 * cluster set {@code
 * connector.client.config.override.policy=dev.pipekeeper.connect.ClassLoadingOverridePolicy}.
 */
public final class ClassLoadingOverridePolicy implements ConnectorClientConfigOverridePolicy {
  /** The worker setting listing the class-loading client keys connectors may override. */
  public static final String ALLOWED_CONFIG = "pipekeeper.client.class.overrides.allowed";

  private Set<String> allowed = Set.of();

  @Override
  public void configure(Map<String, ?> configs) {
    Object value = configs.get(ALLOWED_CONFIG);
    if (value instanceof List<?> list) {
      allowed = list.stream().map(Object::toString).map(String::strip).collect(Collectors.toSet());
    } else if (value != null) {
      allowed =
          Arrays.stream(value.toString().split(","))
              .map(String::strip)
              .filter(key -> !key.isEmpty())
              .collect(Collectors.toSet());
    }
  }

  @Override
  public List<ConfigValue> validate(ConnectorClientConfigRequest request) {
    String prefix = request.clientType().name().toLowerCase(java.util.Locale.ROOT) + ".override.";
    List<ConfigValue> values = new ArrayList<>();
    for (Map.Entry<String, Object> entry : request.clientProps().entrySet()) {
      ConfigValue value = new ConfigValue(entry.getKey());
      value.value(entry.getValue());
      ClassLoadingSettings.refusals(
              java.util.Collections.singletonMap(entry.getKey(), entry.getValue()),
              prefix,
              allowed,
              ALLOWED_CONFIG)
          .forEach(value::addErrorMessage);
      values.add(value);
    }
    return values;
  }

  @Override
  public ConfigDef config() {
    return new ConfigDef()
        .define(
            ALLOWED_CONFIG,
            ConfigDef.Type.LIST,
            List.of(),
            ConfigDef.Importance.LOW,
            "Client setting keys that load classes (such as sasl.jaas.config with a login module"
                + " other than Kafka's, interceptor.classes) that connectors may still override.");
  }

  @Override
  public String version() {
    return ConnectorVersion.VERSION;
  }

  @Override
  public void close() {}
}
