package dev.pipekeeper.app.cli;

import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Defaults of the global options from environment variables: {@code --zk} from {@code
 * PIPEKEEPER_ZK}, {@code --bootstrap-servers} from {@code PIPEKEEPER_BOOTSTRAP_SERVERS}, {@code
 * --cluster} from {@code PIPEKEEPER_CLUSTER}, {@code --zk-config} from {@code
 * PIPEKEEPER_ZK_CONFIG}, {@code --kafka-config} from {@code PIPEKEEPER_KAFKA_CONFIG}. An option on
 * the command line wins.
 */
final class EnvironmentDefaults implements IDefaultValueProvider {
  static final Map<String, String> VARIABLES =
      Map.of(
          "--zk", "PIPEKEEPER_ZK",
          "--bootstrap-servers", "PIPEKEEPER_BOOTSTRAP_SERVERS",
          "--cluster", "PIPEKEEPER_CLUSTER",
          "--zk-config", "PIPEKEEPER_ZK_CONFIG",
          "--kafka-config", "PIPEKEEPER_KAFKA_CONFIG");

  private final Map<String, String> environment;

  EnvironmentDefaults(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  @Override
  public String defaultValue(ArgSpec argSpec) {
    if (argSpec instanceof OptionSpec option) {
      String variable = VARIABLES.get(option.longestName());
      if (variable != null) {
        String value = environment.get(variable);
        if (value != null && !value.isBlank()) {
          return value;
        }
      }
    }
    return argSpec.defaultValue();
  }
}
