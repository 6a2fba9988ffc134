package dev.pipekeeper.console;

import static dev.pipekeeper.console.ConsoleIT.BOUND;
import static dev.pipekeeper.console.ConsoleIT.BY_TEST;
import static dev.pipekeeper.console.ConsoleIT.JSON;
import static dev.pipekeeper.console.ConsoleIT.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.assignment.GroupWorker;
import dev.pipekeeper.core.assignment.UnitHandler;
import dev.pipekeeper.core.assignment.UnitOwnership;
import dev.pipekeeper.core.assignment.WorkUnit;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.config.HistoryEntry;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.health.HealthPublication;
import dev.pipekeeper.core.health.HealthReport;
import dev.pipekeeper.core.leader.Leadership;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.core.membership.MemberState;
import dev.pipekeeper.core.monitor.Monitor;
import dev.pipekeeper.core.monitor.Rules;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The page in a real browser: Debian's chromium, driven by Selenium through Debian's
 * chromium-driver (both given by path, so Selenium Manager downloads nothing), against a real
 * ZooKeeper. Saves the screenshots it checked under {@code target/screenshots/}; only when run with
 * {@code -Dconsole.readmeImage=true} does it also copy the README's picture to {@code
 * docs/images/console.png}, so an ordinary run leaves the checkout as it was.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class ConsoleBrowserIT {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SCREENSHOTS = Path.of("target", "screenshots");
  static final Path README_IMAGE = Path.of("..", "docs", "images", "console.png");

  /** Set to {@code true} to refresh the README's picture from this run (docs/console.md). */
  static final String README_IMAGE_PROPERTY = "console.readmeImage";

  static final String TOKEN = "page-operator-token-0123456789";

  private static final UnitHandler IDLE =
      new UnitHandler() {
        @Override
        public void start(UnitOwnership unit) {}

        @Override
        public void stop(UnitOwnership unit) {}
      };

  /** Skips without chromium, unless under CI, where a missing browser is a failure. */
  static void requireChromium() {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!present && System.getenv("CI") != null) {
      throw new AssertionError(
          "CI is set but "
              + CHROMIUM
              + " or "
              + CHROMEDRIVER
              + " is missing: .ci/run installs them (apt-get install -y chromium chromium-driver)");
    }
    Assumptions.assumeTrue(
        present,
        "no "
            + CHROMIUM
            + " and "
            + CHROMEDRIVER
            + ": the browser test is skipped (apt-get install chromium chromium-driver to run it)");
  }

  static WebDriver browser() {
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1440,2200",
        "--force-device-scale-factor=1");
    return new ChromeDriver(service, options);
  }

  static HealthReport report(String member, AtomicLong tick) {
    long t = tick.incrementAndGet();
    return new HealthReport(
        "orders",
        member,
        "RUNNING",
        1000 * t,
        40 + 15 * Math.sin(t / 2.0) + (member.hashCode() & 7),
        38 + 12 * Math.sin(t / 2.0),
        0,
        0,
        Instant.now(),
        Map.of("orders-0", 20 + (t * 7) % 30),
        Map.of("global", 1),
        List.of(),
        Instant.now());
  }

  @Test
  void theClusterIsLiveOnThePageAndChangesNeedAToken(TestCluster cluster, @TempDir Path dir)
      throws Exception {
    requireChromium();
    Path tokens = dir.resolve("operators");
    Files.writeString(tokens, "page-operator=" + TOKEN + "\n");
    Files.createDirectories(SCREENSHOTS);
    List<AutoCloseable> open = new ArrayList<>();
    try (Pipekeeper pk = connect(cluster, "console-browser");
        Console console = Console.builder(pk).operatorTokens(tokens).build().start()) {
      for (int i = 0; i < 6; i++) {
        pk.workUnits("orders").put(WorkUnit.of("tenant-" + i).withWeight(1 + i % 3));
      }
      pk.config().set(Scope.global(), "batch.size", 100, BY_TEST.comment("first"));
      pk.config().set(Scope.global(), "batch.size", 250, BY_TEST.comment("bigger"));
      pk.config()
          .setSchema(Scope.global(), "mode", JSON.readTree("{\"enum\": [\"fast\", \"safe\"]}"));
      pk.config().set(Scope.global(), "mode", "safe", BY_TEST);
      // a monitor whose one rule fires while units have no owner
      pk.config()
          .set(
              Scope.global(),
              Rules.KEY,
              JSON.readTree(
                  "[{\"name\": \"unassigned-units\", \"kind\": \"unassigned-units\","
                      + " \"for\": \"500ms\"}]"),
              BY_TEST);
      Monitor monitor =
          pk.monitor().evaluationInterval(Duration.ofMillis(200)).logSink(false).start();
      open.add(monitor);
      AtomicLong tick = new AtomicLong();
      for (String id : List.of("worker-1", "worker-2")) {
        Pipekeeper member = connect(cluster, id);
        open.add(member);
        GroupWorker worker = member.worker("orders", MemberInfo.withCapacity(4), IDLE);
        open.add(worker);
        ConfigView view = member.config().view("orders", worker.member().id());
        open.add(view);
        HealthPublication health =
            member
                .health()
                .publish(
                    "orders", Duration.ofMillis(500), () -> report(worker.member().id(), tick));
        open.add(health);
      }
      Leadership nightly = pk.leadership("nightly-report").start();
      open.add(nightly);
      nightly.awaitLease(BOUND).orElseThrow();

      WebDriver browser = browser();
      try {
        browser.get(console.url().toString());
        JavascriptExecutor js = (JavascriptExecutor) browser;
        js.executeScript("window.__sameDocument = 'yes';");

        // members, leaders and assignments appear
        await().atMost(BOUND).until(() -> memberRows(browser).size() == 2);
        await()
            .atMost(BOUND)
            .until(() -> text(browser, "#leaders-table").contains("nightly-report"));
        assertThat(text(browser, "#leaders-table")).contains("console-browser");
        await()
            .atMost(BOUND)
            .until(
                () ->
                    text(browser, "#assignments").contains("generation")
                        && browser.findElements(By.cssSelector("#assignments .unit")).size() == 6
                        && text(browser, "#assignments").contains("settled"));
        assertThat(text(browser, "#assignments")).contains("worker-1", "worker-2", "unassigned");
        // 12 units of weight, room for 8: the alert fires, on the page
        await().atMost(BOUND).until(() -> text(browser, "#alerts-live").contains("firing"));
        assertThat(text(browser, "#tile-alerts")).isEqualTo("1");
        await().atMost(BOUND).until(() -> text(browser, "#config-table").contains("batch.size"));

        // live: a member joining and a config change show without a reload
        Pipekeeper third = connect(cluster, "worker-3");
        open.add(third);
        open.add(third.worker("orders", MemberInfo.withCapacity(6), IDLE));
        await().atMost(BOUND).until(() -> memberRows(browser).size() == 3);
        // now every unit has room: the alert resolves, and the timeline shows both
        await()
            .atMost(BOUND)
            .until(
                () ->
                    text(browser, "#alerts-live").contains("Nothing firing")
                        && text(browser, "#alerts-timeline").contains("resolved")
                        && text(browser, "#alerts-timeline").contains("firing"));
        await().atMost(BOUND).until(() -> !text(browser, "#assignments").contains("unassigned"));
        pk.config().set(Scope.global(), "batch.size", 500, BY_TEST.comment("live"));
        await().atMost(BOUND).until(() -> configValue(browser, "batch.size").equals("500"));
        // the sparklines have drawn a few points
        await()
            .atMost(BOUND)
            .until(() -> browser.findElements(By.cssSelector("#health canvas")).size() >= 2);
        // the members acknowledge the commit: no drift once they run it
        await().atMost(BOUND).until(() -> text(browser, "#tile-drift").equals("none"));
        assertThat(text(browser, "#members-table"))
            .contains("global v" + pk.config().version(Scope.global()));
        assertThat(js.executeScript("return window.__sameDocument")).isEqualTo("yes");
        screenshot(browser, "01-live.png");
        // the README's picture: the page's own height, no empty space below it
        Dimension size = browser.manage().window().getSize();
        long height =
            (Long)
                js.executeScript(
                    "return Math.ceil(document.querySelector('footer')"
                        + ".getBoundingClientRect().bottom) + window.outerHeight"
                        + " - window.innerHeight");
        browser.manage().window().setSize(new Dimension(1440, (int) height));
        screenshot(browser, "00-readme.png");
        if (Boolean.getBoolean(README_IMAGE_PROPERTY)) {
          Files.createDirectories(README_IMAGE.getParent());
          Files.copy(
              SCREENSHOTS.resolve("00-readme.png"),
              README_IMAGE,
              StandardCopyOption.REPLACE_EXISTING);
        }
        browser.manage().window().setSize(size);

        // a change without a token is refused, and the page says so
        browser.findElement(By.cssSelector("#config-table tr[data-key='batch.size']")).click();
        await().atMost(BOUND).until(() -> browser.findElement(By.id("editor-body")).isDisplayed());
        await().atMost(BOUND).until(() -> historyRows(browser).size() == 3);
        WebElement value = browser.findElement(By.id("editor-value"));
        value.clear();
        value.sendKeys("999");
        browser.findElement(By.id("editor-save")).click();
        await().atMost(BOUND).until(() -> text(browser, "#editor-result").contains("Refused"));
        assertThat(text(browser, "#editor-result")).contains("operator token");
        assertThat(text(browser, "#editor-diff-view")).contains("- 500", "+ 999");
        assertThat(pk.config().get(Scope.global(), "batch.size").orElseThrow().value().asInt())
            .isEqualTo(500);
        screenshot(browser, "02-refused-without-token.png");

        // the schema is checked by the server before saving
        browser.findElement(By.cssSelector("#config-table tr[data-key='mode']")).click();
        await().atMost(BOUND).until(() -> text(browser, "#editor-key").endsWith("mode"));
        WebElement mode = browser.findElement(By.id("editor-value"));
        mode.clear();
        mode.sendKeys("\"slow\"");
        browser.findElement(By.id("editor-check")).click();
        await()
            .atMost(BOUND)
            .until(() -> text(browser, "#editor-result").contains("does not match its schema"));

        // with the token, a rollback from the history works
        browser.findElement(By.id("token")).sendKeys(TOKEN);
        browser.findElement(By.id("token-save")).click();
        browser.findElement(By.cssSelector("#config-table tr[data-key='batch.size']")).click();
        await().atMost(BOUND).until(() -> text(browser, "#editor-key").endsWith("batch.size"));
        await().atMost(BOUND).until(() -> historyRows(browser).size() == 3);
        HistoryEntry first = pk.config().history(Scope.global(), "batch.size").get(0);
        browser
            .findElement(
                By.cssSelector(
                    "#history-table tr[data-sequence='" + first.sequence() + "'] button.rollback"))
            .click();
        await()
            .atMost(BOUND)
            .until(
                () ->
                    pk.config().get(Scope.global(), "batch.size").orElseThrow().value().asInt()
                        == 100);
        await().atMost(BOUND).until(() -> configValue(browser, "batch.size").equals("100"));
        await().atMost(BOUND).until(() -> historyRows(browser).size() == 4);
        assertThat(text(browser, "#editor-result")).contains("Rolled back", "page-operator");
        List<HistoryEntry> history = pk.config().history(Scope.global(), "batch.size");
        assertThat(history.get(history.size() - 1).who()).isEqualTo("page-operator");
        assertThat(js.executeScript("return window.__sameDocument")).isEqualTo("yes");
        assertThat(js.executeScript("return document.cookie")).isEqualTo("");
        screenshot(browser, "03-rolled-back.png");
      } finally {
        browser.quit();
      }
    } finally {
      for (int i = open.size() - 1; i >= 0; i--) {
        open.get(i).close();
      }
    }
  }

  @Test
  void aThousandMembersArePagedAndFiltered(TestCluster cluster) throws Exception {
    requireChromium();
    Files.createDirectories(SCREENSHOTS);
    try (Pipekeeper pk = connect(cluster, "console-browser-fleet");
        Console console = Console.builder(pk).build().start()) {
      for (int i = 0; i < 1000; i++) {
        MemberInfo info =
            MemberInfo.withCapacity(1 + i % 4)
                .id(String.format("member-%04d", i))
                .tag("zone", i % 2 == 0 ? "zone-a" : "zone-b");
        pk.membership()
            .join("fleet", i % 100 == 7 ? info.initialState(MemberState.DRAINING) : info);
      }
      WebDriver browser = browser();
      try {
        long start = System.nanoTime();
        browser.get(console.url().toString());
        await().atMost(BOUND).until(() -> text(browser, "#members-page").equals("1–50 of 1000"));
        System.out.printf(
            "page ready with 1000 members in %d ms%n", (System.nanoTime() - start) / 1_000_000);
        assertThat(memberRows(browser)).hasSize(50);
        assertThat(text(browser, "#tile-members")).isEqualTo("1000");

        browser.findElement(By.id("members-next")).click();
        await().atMost(BOUND).until(() -> text(browser, "#members-page").equals("51–100 of 1000"));
        assertThat(memberRows(browser).get(0).getAttribute("data-member")).isEqualTo("member-0050");

        browser.findElement(By.id("members-filter")).sendKeys("draining");
        await()
            .atMost(BOUND)
            .until(() -> text(browser, "#members-page").equals("1–10 of 10 (1000 in all)"));
        assertThat(memberRows(browser))
            .allSatisfy(row -> assertThat(row.getText()).contains("draining"));
        WebElement filter = browser.findElement(By.id("members-filter"));
        filter.clear();
        filter.sendKeys("member-0999");
        await().atMost(BOUND).until(() -> memberRows(browser).size() == 1);
        assertThat(memberRows(browser).get(0).getText()).contains("member-0999", "zone=zone-b");
        screenshot(browser, "04-thousand-members-filtered.png");
      } finally {
        browser.quit();
      }
    }
  }

  static List<WebElement> memberRows(WebDriver browser) {
    return browser.findElements(By.cssSelector("#members-table tbody tr[data-member]"));
  }

  static List<WebElement> historyRows(WebDriver browser) {
    return browser.findElements(By.cssSelector("#history-table tbody tr[data-sequence]"));
  }

  static String text(WebDriver browser, String css) {
    return browser.findElement(By.cssSelector(css)).getText();
  }

  static String configValue(WebDriver browser, String key) {
    List<WebElement> cells =
        browser.findElements(By.cssSelector("#config-table tr[data-key='" + key + "'] td .value"));
    return cells.isEmpty() ? "" : cells.get(0).getText();
  }

  static void screenshot(WebDriver browser, String name) throws Exception {
    File shot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }
}
