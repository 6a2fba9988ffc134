package dev.pipekeeper.embedded.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules of pipekeeper-embedded (docs/architecture.md): it stands on the servers it starts and
 * knows no other Pipekeeper module; its packages form no cycle.
 */
class ArchitectureTest {
  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.pipekeeper.embedded");
  }

  @Test
  void knowsNoOtherPipekeeperModule() {
    noClasses()
        .that()
        .resideInAPackage("dev.pipekeeper.embedded..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.pipekeeper.core..", "dev.pipekeeper.kafka..", "dev.pipekeeper.app..")
        .because("the embedded servers sit below everything that uses them")
        .check(main);
  }

  @Test
  void packagesFormNoCycle() {
    slices().matching("dev.pipekeeper.embedded.(**)").should().beFreeOfCycles().check(main);
  }
}
