package dev.pipekeeper.app.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering rules of docs/design.md §3, checked on the main classes of every module the app
 * sees.
 */
class ArchitectureTest {
  static final String CORE = "dev.pipekeeper.core..";
  static final String EMBEDDED = "dev.pipekeeper.embedded..";
  static final String APP = "dev.pipekeeper.app..";
  static final String KAFKA = "dev.pipekeeper.kafka..";
  static final String CONSOLE = "dev.pipekeeper.console..";

  /** core knows nothing of Kafka, the CLI or the embedded servers. */
  static final ArchRule CORE_IS_ZOOKEEPER_ONLY =
      noClasses()
          .that()
          .resideInAPackage(CORE)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.apache.kafka..", "kafka..", APP, EMBEDDED, CONSOLE, "picocli..", "io.javalin..")
          .because("pipekeeper-core is the ZooKeeper side and sits below everything else");

  /**
   * The console shows what the core's public API shows, as any operator tool would: it knows
   * nothing of Kafka (pipekeeper-kafka's pipelines report through the core's health records) nor of
   * the core's insides.
   */
  static final ArchRule CONSOLE_USES_CORE_API_ONLY =
      noClasses()
          .that()
          .resideInAPackage(CONSOLE)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.pipekeeper.core..internal..", KAFKA, "org.apache.kafka..")
          .because("pipekeeper-console sits on the coordination library's public API");

  /**
   * The Kafka side uses core's public API only, as any user would; of core's insides only {@code
   * Durations}, the one way durations read in messages, and {@code Serial}, the one single-thread
   * executor (the streams member's thread).
   */
  static final ArchRule KAFKA_USES_CORE_API_ONLY =
      noClasses()
          .that()
          .resideInAPackage(KAFKA)
          .should()
          .dependOnClassesThat(
              JavaClass.Predicates.resideInAPackage("dev.pipekeeper.core..internal..")
                  .and(
                      com.tngtech.archunit.base.DescribedPredicate.not(
                          JavaClass.Predicates.equivalentTo(
                                  dev.pipekeeper.core.internal.Durations.class)
                              .or(
                                  JavaClass.Predicates.equivalentTo(
                                      dev.pipekeeper.core.internal.Serial.class)))))
          .because("pipekeeper-kafka builds on the coordination library, not on its insides");

  /** Nothing but the app (and tests) depends on the embedded servers. */
  static final ArchRule ONLY_APP_USES_EMBEDDED =
      noClasses()
          .that()
          .resideOutsideOfPackages(EMBEDDED, APP)
          .and()
          .resideInAPackage("dev.pipekeeper..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage(EMBEDDED)
          .because("embedded servers are for the demo, local runs and tests");

  /** Arrows point down: no module below the app knows the app. */
  static final ArchRule NOTHING_DEPENDS_ON_APP =
      noClasses()
          .that()
          .resideOutsideOfPackage(APP)
          .and()
          .resideInAPackage("dev.pipekeeper..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage(APP);

  /** An .internal type never appears in a public signature outside .internal packages. */
  static final ArchRule INTERNAL_TYPES_DO_NOT_LEAK =
      classes()
          .that()
          .resideInAPackage("dev.pipekeeper..")
          .and()
          .resideOutsideOfPackage("..internal..")
          .and()
          .arePublic()
          .should(notExposeInternalTypes());

  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.pipekeeper");
  }

  @Test
  void coreIsZooKeeperOnly() {
    CORE_IS_ZOOKEEPER_ONLY.check(main);
  }

  @Test
  void kafkaUsesCoresPublicApiOnly() {
    KAFKA_USES_CORE_API_ONLY.check(main);
  }

  @Test
  void theConsoleUsesCoresPublicApiOnly() {
    CONSOLE_USES_CORE_API_ONLY.check(main);
  }

  @Test
  void onlyTheAppUsesEmbeddedServers() {
    ONLY_APP_USES_EMBEDDED.check(main);
  }

  @Test
  void nothingDependsOnTheApp() {
    NOTHING_DEPENDS_ON_APP.check(main);
  }

  @Test
  void internalTypesDoNotLeakIntoPublicSignatures() {
    INTERNAL_TYPES_DO_NOT_LEAK.check(main);
  }

  @Test
  void theImportSeesEveryModule() {
    Set<String> packages = new HashSet<>();
    main.forEach(c -> packages.add(c.getPackageName()));
    org.assertj.core.api.Assertions.assertThat(packages)
        .contains(
            "dev.pipekeeper.core",
            "dev.pipekeeper.kafka",
            "dev.pipekeeper.embedded",
            "dev.pipekeeper.console",
            "dev.pipekeeper.app.cli");
  }

  static ArchCondition<JavaClass> notExposeInternalTypes() {
    return new ArchCondition<>("not expose .internal types in public signatures") {
      @Override
      public void check(JavaClass type, ConditionEvents events) {
        for (JavaMember member : type.getMembers()) {
          if (!member.getModifiers().contains(JavaModifier.PUBLIC)
              && !member.getModifiers().contains(JavaModifier.PROTECTED)) {
            continue;
          }
          Set<JavaClass> exposed = new HashSet<>();
          if (member instanceof JavaField field) {
            exposed.addAll(field.getType().getAllInvolvedRawTypes());
          } else if (member instanceof JavaCodeUnit code) {
            exposed.addAll(code.getReturnType().getAllInvolvedRawTypes());
            code.getParameterTypes().forEach(p -> exposed.addAll(p.getAllInvolvedRawTypes()));
          }
          for (JavaClass used : exposed) {
            if (used.getPackageName().contains(".internal")) {
              events.add(
                  SimpleConditionEvent.violated(
                      member, member.getFullName() + " exposes " + used.getName()));
            }
          }
        }
      }
    };
  }
}
