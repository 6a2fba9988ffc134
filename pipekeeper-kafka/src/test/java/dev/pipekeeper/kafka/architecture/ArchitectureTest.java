package dev.pipekeeper.kafka.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules of pipekeeper-kafka (docs/architecture.md): core through its API only (of its insides
 * only {@code Durations}, the one way durations read in messages, and {@code Serial}, the one
 * single-thread executor, which the streams member runs its instance on), never the CLI or the
 * embedded servers; an implementation package is reached from its own API package only; no cycle
 * between packages.
 */
class ArchitectureTest {
  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.pipekeeper.kafka");
  }

  @Test
  void usesCoresApiOnly() {
    noClasses()
        .that()
        .resideInAPackage("dev.pipekeeper.kafka..")
        .should()
        .dependOnClassesThat(
            com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage(
                    "dev.pipekeeper.core..internal..")
                .and(
                    com.tngtech.archunit.base.DescribedPredicate.not(
                        com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo(
                                dev.pipekeeper.core.internal.Durations.class)
                            .or(
                                com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo(
                                    dev.pipekeeper.core.internal.Serial.class)))))
        .because("pipekeeper-kafka builds on the coordination library, not on its insides")
        .check(main);
  }

  @Test
  void knowsNeitherTheCliNorTheEmbeddedServers() {
    noClasses()
        .that()
        .resideInAPackage("dev.pipekeeper.kafka..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.pipekeeper.app..", "dev.pipekeeper.embedded..")
        .check(main);
  }

  @Test
  void thePipelineImplementationsAreReachedFromThePipelineApiOnly() {
    noClasses()
        .that()
        .resideOutsideOfPackages("dev.pipekeeper.kafka", "dev.pipekeeper.kafka.internal..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.pipekeeper.kafka.internal..")
        .check(main);
    noClasses()
        .that()
        .resideOutsideOfPackages(
            "dev.pipekeeper.kafka.streams", "dev.pipekeeper.kafka.streams.internal..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.pipekeeper.kafka.streams.internal..")
        .check(main);
  }

  @Test
  void packagesFormNoCycle() {
    slices().matching("dev.pipekeeper.kafka.(*)..").should().beFreeOfCycles().check(main);
  }
}
