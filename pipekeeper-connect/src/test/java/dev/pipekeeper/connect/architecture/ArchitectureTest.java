package dev.pipekeeper.connect.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules of pipekeeper-connect (docs/architecture.md): core through its public API only, never
 * the pipelines, the CLI or the embedded servers, and nothing of connect-runtime (the worker
 * provides connect-api alone to a plugin's contract); no cycle between packages.
 */
class ArchitectureTest {
  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.pipekeeper.connect");
  }

  @Test
  void usesCoresApiOnly() {
    noClasses()
        .that()
        .resideInAPackage("dev.pipekeeper.connect..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.pipekeeper.core..internal..")
        .because("the connectors build on the coordination library, not on its insides")
        .check(main);
  }

  @Test
  void knowsNeitherThePipelinesTheCliNorTheEmbeddedServers() {
    noClasses()
        .that()
        .resideInAPackage("dev.pipekeeper.connect..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.pipekeeper.kafka..", "dev.pipekeeper.app..", "dev.pipekeeper.embedded..")
        .check(main);
  }

  @Test
  void usesConnectsApiNotItsRuntime() {
    noClasses()
        .that()
        .resideInAPackage("dev.pipekeeper.connect..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.kafka.connect.runtime..", "org.apache.kafka.connect.cli..")
        .check(main);
  }

  @Test
  void packagesFormNoCycle() {
    slices().matching("dev.pipekeeper.connect.(*)..").should().beFreeOfCycles().check(main);
  }
}
