package dev.pipekeeper.examples.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The examples are written as a user would write them: the public API of core and kafka only, never
 * an {@code .internal} package or the embedded servers.
 */
class ArchitectureTest {
  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.pipekeeper.examples");
  }

  @Test
  void useThePublicApiOnly() {
    noClasses()
        .that()
        .resideInAPackage("dev.pipekeeper.examples..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.pipekeeper..internal..", "dev.pipekeeper.embedded..", "dev.pipekeeper.app..")
        .because("the examples show what a user writes")
        .check(main);
  }
}
