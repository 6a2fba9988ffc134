package dev.pipekeeper.core.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rooms of pipekeeper-core and the arrows allowed between them (docs/architecture.md, "Packages
 * of pipekeeper-core"): each capability is its API package {@code core.X} and its implementation
 * {@code core.X.internal}; {@code core.internal} is machinery every capability may use and that
 * knows none of them; {@code core} itself (the connection, its builder, the exceptions, names) may
 * use everything, and everything may use its exceptions and names.
 */
class ArchitectureTest {
  private static final String CORE = "dev.pipekeeper.core";

  /** Which capabilities each capability may use, besides core and core.internal. */
  static final Map<String, Set<String>> ALLOWED =
      Map.of(
          "ensemble", Set.of(),
          "leader", Set.of(),
          "locks", Set.of(),
          "barriers", Set.of(),
          "membership", Set.of(),
          "config", Set.of(),
          "health", Set.of(),
          "security", Set.of(),
          "assignment", Set.of("leader", "membership"),
          "monitor", Set.of("assignment", "config", "ensemble", "health", "leader", "membership"));

  private static JavaClasses core;

  @BeforeAll
  static void importCore() {
    core =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(CORE);
  }

  /** A capability uses only the capabilities the table allows. */
  static ArchRule usesOnlyWhatItMay(String capability) {
    String[] forbidden =
        ALLOWED.keySet().stream()
            .filter(other -> !other.equals(capability))
            .filter(other -> !ALLOWED.get(capability).contains(other))
            .map(other -> CORE + "." + other + "..")
            .toArray(String[]::new);
    return noClasses()
        .that()
        .resideInAPackage(CORE + "." + capability + "..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(forbidden)
        .because("docs/architecture.md allows " + capability + " " + ALLOWED.get(capability));
  }

  static final ArchRule MACHINERY_KNOWS_NO_CAPABILITY =
      noClasses()
          .that()
          .resideInAPackage(CORE + ".internal")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              ALLOWED.keySet().stream().map(c -> CORE + "." + c + "..").toArray(String[]::new))
          .because("core.internal is the shared machinery below every capability");

  static final ArchRule CAPABILITIES_FORM_NO_CYCLE =
      slices().matching(CORE + ".(*)..").should().beFreeOfCycles();

  @Test
  void eachCapabilityUsesOnlyTheCapabilitiesItMay() {
    ALLOWED.keySet().forEach(capability -> usesOnlyWhatItMay(capability).check(core));
  }

  @Test
  void theSharedMachineryKnowsNoCapability() {
    MACHINERY_KNOWS_NO_CAPABILITY.check(core);
  }

  @Test
  void noCycleBetweenCapabilityPackages() {
    CAPABILITIES_FORM_NO_CYCLE.check(core);
  }

  @Test
  void everyPackageIsARoomOfTheTable() {
    Set<String> packages = new TreeSet<>();
    core.forEach(c -> packages.add(c.getPackageName()));
    Set<String> expected =
        ALLOWED.keySet().stream()
            .flatMap(c -> java.util.stream.Stream.of(CORE + "." + c, CORE + "." + c + ".internal"))
            .collect(Collectors.toCollection(TreeSet::new));
    expected.add(CORE);
    expected.add(CORE + ".internal");
    expected.remove(CORE + ".ensemble.internal"); // the probe is small enough to sit in its API
    expected.remove(CORE + ".security.internal"); // the model's ACLs are applied by core.internal
    assertThat(packages).containsExactlyInAnyOrderElementsOf(expected);
  }
}
