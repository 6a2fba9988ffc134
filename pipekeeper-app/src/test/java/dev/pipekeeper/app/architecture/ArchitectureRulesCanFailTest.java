package dev.pipekeeper.app.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import dev.pipekeeper.console.archfixture.ConsoleUsingCoreInternals;
import dev.pipekeeper.core.archfixture.CoreUsingKafka;
import dev.pipekeeper.core.archfixture.LeakyApi;
import dev.pipekeeper.kafka.archfixture.KafkaUsingCoreInternals;
import dev.pipekeeper.kafka.archfixture.KafkaUsingTheAllowedInternals;
import org.junit.jupiter.api.Test;

/** The rules catch the violations they exist for (checked on deliberate test fixtures). */
class ArchitectureRulesCanFailTest {

  @Test
  void coreUsingKafkaIsCaught() {
    assertThat(
            ArchitectureTest.CORE_IS_ZOOKEEPER_ONLY
                .evaluate(new ClassFileImporter().importClasses(CoreUsingKafka.class))
                .hasViolation())
        .isTrue();
  }

  @Test
  void kafkaUsingCoreInternalsIsCaught() {
    assertThat(
            ArchitectureTest.KAFKA_USES_CORE_API_ONLY
                .evaluate(new ClassFileImporter().importClasses(KafkaUsingCoreInternals.class))
                .hasViolation())
        .isTrue();
  }

  @Test
  void consoleUsingCoreInternalsIsCaught() {
    assertThat(
            ArchitectureTest.CONSOLE_USES_CORE_API_ONLY
                .evaluate(new ClassFileImporter().importClasses(ConsoleUsingCoreInternals.class))
                .hasViolation())
        .isTrue();
  }

  @Test
  void kafkaUsingSerialAndDurationsIsAllowed() {
    assertThat(
            ArchitectureTest.KAFKA_USES_CORE_API_ONLY
                .evaluate(
                    new ClassFileImporter().importClasses(KafkaUsingTheAllowedInternals.class))
                .hasViolation())
        .isFalse();
  }

  @Test
  void anInternalTypeInAPublicSignatureIsCaught() {
    assertThat(
            ArchitectureTest.INTERNAL_TYPES_DO_NOT_LEAK
                .evaluate(new ClassFileImporter().importClasses(LeakyApi.class))
                .getFailureReport()
                .getDetails())
        .anyMatch(line -> line.contains("LeakyApi.hidden()") && line.contains("Hidden"));
  }
}
