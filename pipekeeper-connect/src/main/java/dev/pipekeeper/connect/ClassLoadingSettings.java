package dev.pipekeeper.connect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.SaslConfigs;

/**
 * The Kafka client settings that make a client load a class named in its configuration, the one
 * rule by which Pipekeeper refuses them when they come from a connector's configuration
 * (CVE-2023-25194: a {@code sasl.jaas.config} naming {@code JndiLoginModule} ran code on the
 * worker). A class-loading setting is refused unless the operator lists its key as allowed; a
 * {@code sasl.jaas.config} naming only Kafka's own login modules (PLAIN, SCRAM, OAUTHBEARER) or
 * Kerberos is not refused, since every secured Kafka client needs one.
 *
 * <p>The keys are read from the clients' own {@link ConfigDef}s (every {@code CLASS} setting and
 * every class list, such as {@code interceptor.classes} and {@code metric.reporters}), so a setting
 * a newer Kafka adds is covered without a change here; {@code config.providers} and its {@code
 * config.providers.NAME.class} keys are added by name.
 */
public final class ClassLoadingSettings {
  /** Kafka's login modules and Kerberos': what a {@code sasl.jaas.config} may name unasked. */
  public static final Set<String> KAFKA_LOGIN_MODULES =
      Set.of(
          "org.apache.kafka.common.security.plain.PlainLoginModule",
          "org.apache.kafka.common.security.scram.ScramLoginModule",
          "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule",
          "com.sun.security.auth.module.Krb5LoginModule");

  private static final Set<String> KEYS = classLoadingKeys();

  private ClassLoadingSettings() {}

  /** Whether setting {@code key} of a Kafka client names a class the client loads. */
  public static boolean loadsClasses(String key) {
    return KEYS.contains(key) || key.startsWith("config.providers.");
  }

  /**
   * Why each class-loading setting of {@code settings} is refused, one line per setting, in key
   * order; empty if none is.
   *
   * @param settings a client's settings, keys without any prefix
   * @param prefix how the keys are named where the user wrote them (e.g. {@code
   *     producer.override.}), for the message
   * @param allowed the keys (without prefix) the operator allows
   * @param allowedSetting the name of the setting that lists them, for the message
   */
  public static List<String> refusals(
      Map<String, ?> settings, String prefix, Set<String> allowed, String allowedSetting) {
    List<String> refusals = new ArrayList<>();
    for (String key : new TreeSet<>(settings.keySet())) {
      if (!loadsClasses(key) || allowed.contains(key)) {
        continue;
      }
      String loads;
      if (key.equals(SaslConfigs.SASL_JAAS_CONFIG)) {
        Object value = settings.get(key);
        List<String> foreign = foreignLoginModules(value == null ? "" : jaasText(value));
        if (foreign.isEmpty()) {
          continue;
        }
        loads = "the JAAS login module " + String.join(", ", foreign);
      } else {
        loads = "a class (" + settings.get(key) + ")";
      }
      refusals.add(
          prefix
              + key
              + " names "
              + loads
              + " for the client to load; refused (CVE-2023-25194) unless "
              + allowedSetting
              + " lists "
              + key);
    }
    return refusals;
  }

  /**
   * The login modules a JAAS configuration text names that are not Kafka's or Kerberos': each entry
   * is {@code MODULE FLAG [OPTIONS];}.
   */
  static List<String> foreignLoginModules(String jaas) {
    List<String> foreign = new ArrayList<>();
    for (String entry : jaas.split(";")) {
      String trimmed = entry.strip();
      if (trimmed.isEmpty()) {
        continue;
      }
      String module = trimmed.split("\\s+", 2)[0];
      if (!KAFKA_LOGIN_MODULES.contains(module)) {
        foreign.add(module);
      }
    }
    return foreign;
  }

  /** A {@code sasl.jaas.config} value's text, whether given as text or as a password value. */
  private static String jaasText(Object value) {
    if (value instanceof org.apache.kafka.common.config.types.Password password) {
      return password.value();
    }
    return value.toString();
  }

  private static Set<String> classLoadingKeys() {
    Set<String> keys = new TreeSet<>();
    for (ConfigDef def :
        List.of(
            ProducerConfig.configDef(),
            ConsumerConfig.configDef(),
            AdminClientConfig.configDef())) {
      def.configKeys()
          .values()
          .forEach(
              key -> {
                if (key.type == ConfigDef.Type.CLASS
                    || (key.type == ConfigDef.Type.LIST
                        && (key.name.endsWith(".classes") || key.name.endsWith(".reporters")))) {
                  keys.add(key.name);
                }
              });
    }
    keys.add(SaslConfigs.SASL_JAAS_CONFIG);
    keys.add("config.providers");
    return Set.copyOf(keys);
  }
}
