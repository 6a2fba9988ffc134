package dev.pipekeeper.bench;

import com.fasterxml.jackson.databind.node.IntNode;
import com.sun.management.OperatingSystemMXBean;
import dev.pipekeeper.console.Console;
import dev.pipekeeper.core.ClusterPath;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.assignment.WorkUnit;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.membership.Member;
import dev.pipekeeper.core.membership.MemberInfo;
import dev.pipekeeper.core.membership.MemberState;
import dev.pipekeeper.embedded.EmbeddedZooKeeper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.retry.RetryOneTime;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * P8: the console in a real browser (Debian's chromium, driven by Selenium through Debian's
 * chromium-driver, both by path as {@code ConsoleBrowserIT} does), against one real ZooKeeper.
 *
 * <p>{@code latency}: a config change written through Pipekeeper until the page's DOM shows the new
 * value (a {@code MutationObserver} in the page stamps the moment with {@code Date.now()}), p50 /
 * p99 over {@code changes} changes; baseline: the same change seen by a raw Curator watch ({@code
 * CuratorCache} on the key's node) in the same round.
 *
 * <p>{@code scale}: {@code members} members and {@code units} work units in one group. Page ready
 * time (navigation until the members list and the units are drawn) and CPU per update (one member's
 * state flipped once a second, {@code updates} times; the console's JVM CPU from {@link
 * OperatingSystemMXBean} minus that of the same updates with no console, plus the browser's
 * processes' CPU); baseline, same run: the CLI's {@code --json} commands ({@code members GROUP},
 * {@code assignments GROUP}) run once a second as an operator's loop would, each a {@code java
 * -jar} of the built CLI ({@code cli=PATH}), its CPU read from the children's times in {@code
 * /proc/self/stat}.
 *
 * <p>Run ({@code install -DskipTests} first: the CLI baseline needs {@code
 * pipekeeper-app/target/pipekeeper.jar}): {@code ./mvnw -B -q -pl pipekeeper-bench exec:exec
 * -Dbench.main=dev.pipekeeper.bench.ConsoleBench -Dbench.args="server=child"}.
 */
public final class ConsoleBench {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final String CLUSTER = "bench";
  private static final String KEY = "bench.k";
  private static final String GROUP = "fleet";
  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final int WARMUP = 10;

  private ConsoleBench() {}

  public static void main(String[] argv) throws Exception {
    BenchArgs args = BenchArgs.parse(argv);
    List<String> cases = args.list("cases", "latency,scale", List.of("latency", "scale"));
    int changes = args.integer("changes", 100, 1);
    int gapMs = args.integer("gapMs", 300, 0);
    int members = args.integer("members", 1000, 1);
    int units = args.integer("units", 10_000, 0);
    int loads = args.integer("loads", 5, 1);
    int updates = args.integer("updates", 60, 1);
    Path cli = Path.of(args.string("cli", "../pipekeeper-app/target/pipekeeper.jar"));
    try (EmbeddedZooKeeper zk = Environment.zooKeeper(args)) {
      args.checkNoneUnknown();
      if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
        throw new IllegalStateException("needs " + CHROMIUM + " and " + CHROMEDRIVER);
      }
      System.out.print(Environment.header("ConsoleBench", args));
      if (cases.contains("latency")) {
        latency(zk.connectString(), changes, gapMs);
      }
      if (cases.contains("scale")) {
        if (!Files.isRegularFile(cli)) {
          throw new IllegalStateException("no CLI at " + cli.toAbsolutePath() + ": package first");
        }
        scale(zk.connectString(), members, units, loads, updates, cli);
      }
    }
  }

  // ---- latency ----------------------------------------------------------------------------

  private static void latency(String connect, int changes, int gapMs) throws Exception {
    Map<Integer, Instant> rawSeen = new ConcurrentHashMap<>();
    String path = ClusterPath.root(CLUSTER) + ZkLayout.configKey(Scope.global().path(), KEY);
    try (Pipekeeper writer = connect(connect, "bench-writer");
        Pipekeeper pk = connect(connect, "bench-console");
        Console console = Console.builder(pk).build().start();
        CuratorFramework raw = curator(connect);
        CuratorCache cache =
            CuratorCache.build(raw, path, CuratorCache.Options.SINGLE_NODE_CACHE)) {
      writer.config().set(Scope.global(), KEY, IntNode.valueOf(0), ChangeOptions.by("bench"));
      cache
          .listenable()
          .addListener(
              CuratorCacheListener.builder()
                  .forChanges(
                      (before, after) -> {
                        Instant at = Instant.now();
                        String data = new String(after.getData(), StandardCharsets.UTF_8);
                        rawSeen.putIfAbsent(Integer.parseInt(data.strip()), at);
                      })
                  .build());
      cache.start();
      WebDriver browser = browser();
      try {
        JavascriptExecutor js = (JavascriptExecutor) browser;
        browser.get(console.url().toString());
        await(() -> configValue(browser).equals("0"), "the page shows the key");
        js.executeScript(
            "window.__seen = {};"
                + "const check = () => {"
                + "  const c = document.querySelector(\"#config-table tr[data-key='"
                + KEY
                + "'] td .value\");"
                + "  if (c) { const t = c.textContent.trim();"
                + "    if (!(t in window.__seen)) window.__seen[t] = Date.now(); } };"
                + "new MutationObserver(check).observe(document.body,"
                + " {subtree: true, childList: true, characterData: true});");
        Stats page = new Stats();
        Stats watch = new Stats();
        for (int i = 1; i <= WARMUP + changes; i++) {
          int value = i;
          Instant written = Instant.now();
          writer
              .config()
              .set(Scope.global(), KEY, IntNode.valueOf(value), ChangeOptions.by("bench"));
          await(
              () ->
                  rawSeen.containsKey(value)
                      && js.executeScript("return window.__seen['" + value + "']") != null,
              "change " + value + " on the page");
          Number seenAt = (Number) js.executeScript("return window.__seen['" + value + "']");
          if (i > WARMUP) {
            page.add(seenAt.longValue() - written.toEpochMilli());
            watch.add(written.until(rawSeen.get(value), ChronoUnit.MICROS) / 1000.0);
          }
          TimeUnit.MILLISECONDS.sleep(gapMs); // changes one at a time, as an operator makes them
        }
        System.out.printf(
            "### ZooKeeper change → page DOM (%d changes, %d warm-up, %d ms apart)%n%n",
            changes, WARMUP, gapMs);
        System.out.println("| seen by | p50 (ms) | p99 (ms) | max (ms) |");
        System.out.println("| --- | --- | --- | --- |");
        row("raw Curator watch (CuratorCache on the key's node)", watch);
        row("the console's page in chromium (DOM mutation)", page);
        System.out.printf(
            "%npage p99 %.0f ms: %.2f of the 1 s target (%s); page / raw watch: p50 %.1fx,"
                + " p99 %.1fx%n%n",
            page.percentile(99),
            page.percentile(99) / 1000.0,
            page.percentile(99) <= 1000 ? "met" : "NOT met",
            page.percentile(50) / watch.percentile(50),
            page.percentile(99) / watch.percentile(99));
      } finally {
        browser.quit();
      }
    }
  }

  // ---- scale ------------------------------------------------------------------------------

  private static void scale(
      String connect, int members, int units, int loads, int updates, Path cli) throws Exception {
    try (Pipekeeper owner = connect(connect, "bench-fleet")) {
      long t0 = System.nanoTime();
      List<Member> fleet = new ArrayList<>();
      for (int i = 0; i < members; i++) {
        fleet.add(
            owner
                .membership()
                .join(
                    GROUP,
                    MemberInfo.withCapacity(1 + i % 4)
                        .id(String.format("member-%04d", i))
                        .tag("zone", i % 2 == 0 ? "zone-a" : "zone-b")));
      }
      for (int i = 0; i < units; i++) {
        owner.workUnits(GROUP).put(WorkUnit.of(String.format("unit-%05d", i)));
      }
      System.out.printf(
          "### %d members, %d units in group %s (set up in %.0f s)%n%n",
          members, units, GROUP, (System.nanoTime() - t0) / 1e9);
      Member flipped = fleet.get(0);

      // the updates alone: what the harness spends on them, to be taken off the console's figure
      long harness0 = processCpuNanos();
      flipOncePerSecond(updates, flipped);
      double alone = (processCpuNanos() - harness0) / 1e6 / updates;

      Stats ready = new Stats();
      double consoleCpu;
      double browserCpu;
      double consoleIdle;
      double browserIdle;
      try (Pipekeeper pk = connect(connect, "bench-console");
          Console console = Console.builder(pk).build().start()) {
        WebDriver browser = browser();
        try {
          for (int i = 0; i < loads; i++) {
            browser.get("about:blank");
            long start = System.nanoTime();
            browser.get(console.url().toString());
            await(() -> pageReady(browser, members, units), "the page ready");
            ready.add((System.nanoTime() - start) / 1e6);
          }
          // the console and the page with nothing changing: the sweep's cost, per second
          long idleHarness = processCpuNanos();
          Map<Long, Long> idleChromium = browserCpu();
          TimeUnit.SECONDS.sleep(updates);
          consoleIdle = (processCpuNanos() - idleHarness) / 1e6 / updates;
          browserIdle = browserCpuSince(idleChromium) / 1e6 / updates;
          long harness = processCpuNanos();
          Map<Long, Long> chromium = browserCpu();
          flipOncePerSecond(updates, flipped);
          consoleCpu = (processCpuNanos() - harness) / 1e6 / updates - alone;
          browserCpu = browserCpuSince(chromium) / 1e6 / updates;
          // the page shows the last flip: it followed the updates
          String last = flipped.record().state().name().toLowerCase(Locale.ROOT);
          await(
              () ->
                  text(browser, "#members-table tr[data-member='" + flipped.id() + "']")
                      .contains(last),
              "the page to follow the updates");
        } finally {
          browser.quit();
        }
      }
      // chromedriver and chromium are waited for before the CLI's children are counted
      await(() -> browserCpu().isEmpty(), "the browser to exit");

      // baseline: the CLI's --json commands, one java -jar each, once a second
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> base = List.of(java, "-jar", cli.toString(), "--zk", connect, "--cluster");
      List<List<String>> commands =
          List.of(
              concat(base, CLUSTER, "members", GROUP, "--json"),
              concat(base, CLUSTER, "assignments", GROUP, "--json"));
      Stats cliReady = new Stats();
      for (int i = 0; i < loads; i++) {
        long start = System.nanoTime();
        poll(commands);
        cliReady.add((System.nanoTime() - start) / 1e6);
      }
      long childrenBefore = childrenCpuNanos();
      long harnessBefore = processCpuNanos();
      int late = 0;
      long next = System.nanoTime();
      for (int i = 0; i < updates; i++) {
        flip(flipped);
        poll(commands);
        next += 1_000_000_000L;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        } else {
          late++;
          next = System.nanoTime();
        }
      }
      double cliCpu = (childrenCpuNanos() - childrenBefore) / 1e6 / updates;
      double harnessCli = (processCpuNanos() - harnessBefore) / 1e6 / updates - alone;

      System.out.println("| shown by | ready p50 (ms) | ready max (ms) | CPU per update (ms) |");
      System.out.println("| --- | --- | --- | --- |");
      System.out.printf(
          "| CLI --json (members + assignments), java -jar once a second | %.0f | %.0f | %.1f"
              + " (CLI JVMs; harness +%.1f) |%n",
          cliReady.percentile(50), cliReady.max(), cliCpu, harnessCli);
      System.out.printf(
          "| console + page in chromium | %.0f | %.0f | %.1f console JVM + %.1f browser |%n",
          ready.percentile(50), ready.max(), consoleCpu, browserCpu);
      System.out.printf(
          "%nwith nothing changing, per second: console JVM %.1f ms, browser %.1f ms; so one"
              + " update costs the console JVM %.1f ms and the browser %.1f ms more than idle%n",
          consoleIdle, browserIdle, consoleCpu - consoleIdle, browserCpu - browserIdle);
      System.out.printf(
          "%nratios console / CLI poll: ready p50 %.2fx; CPU per update (console JVM) %.3fx,"
              + " (console JVM + browser) %.3fx; %d of %d CLI polls overran their second;"
              + " the updates alone cost the harness %.2f ms each%n%n",
          ready.percentile(50) / cliReady.percentile(50),
          consoleCpu / cliCpu,
          (consoleCpu + browserCpu) / cliCpu,
          late,
          updates,
          alone);
      fleet.forEach(Member::close);
    }
  }

  /** Flips {@code member} between RUNNING and DRAINING once a second, {@code updates} times. */
  private static void flipOncePerSecond(int updates, Member member) throws InterruptedException {
    long next = System.nanoTime();
    for (int i = 0; i < updates; i++) {
      flip(member);
      next += 1_000_000_000L;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
    }
  }

  private static void flip(Member member) {
    member.setState(
        member.record().state() == MemberState.DRAINING
            ? MemberState.RUNNING
            : MemberState.DRAINING);
  }

  private static void poll(List<List<String>> commands) throws Exception {
    for (List<String> command : commands) {
      Process p =
          new ProcessBuilder(command)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException(command + " failed");
      }
    }
  }

  private static boolean pageReady(WebDriver browser, int members, int units) {
    String page = text(browser, "#members-page");
    List<WebElement> block =
        browser.findElements(By.cssSelector("#assignments .group-block[data-group='fleet']"));
    return page.equals("1–50 of " + members)
        && !block.isEmpty()
        && (units == 0 || block.get(0).getText().contains(units + " unassigned"));
  }

  private static long processCpuNanos() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** CPU time of each live chromium and chromedriver process under this JVM, by pid. */
  private static Map<Long, Long> browserCpu() {
    Map<Long, Long> byPid = new HashMap<>();
    ProcessHandle.current()
        .descendants()
        .filter(p -> p.info().command().map(c -> c.contains("chrom")).orElse(false))
        .forEach(
            p -> byPid.put(p.pid(), p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L)));
    return byPid;
  }

  /**
   * What the browser's processes spent since {@code before}: each live one's growth (a new one's
   * whole time). One that exited meanwhile is left out, so this is a lower bound.
   */
  private static long browserCpuSince(Map<Long, Long> before) {
    long total = 0;
    for (Map.Entry<Long, Long> now : browserCpu().entrySet()) {
      total += Math.max(0, now.getValue() - before.getOrDefault(now.getKey(), 0L));
    }
    return total;
  }

  /** User + system time of this JVM's children that exited and were waited for (Linux). */
  private static long childrenCpuNanos() throws IOException {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // after the command's name: state is field 3, cutime 16 and cstime 17 (1-based, proc(5))
    long ticks = Long.parseLong(fields[16 - 3]) + Long.parseLong(fields[17 - 3]);
    return ticks * 10_000_000L; // USER_HZ is 100 on Linux
  }

  // ---- shared -----------------------------------------------------------------------------

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
        "--window-size=1440,2200");
    return new ChromeDriver(service, options);
  }

  private static String configValue(WebDriver browser) {
    List<WebElement> cells =
        browser.findElements(By.cssSelector("#config-table tr[data-key='" + KEY + "'] td .value"));
    return cells.isEmpty() ? "" : cells.get(0).getText();
  }

  private static String text(WebDriver browser, String css) {
    List<WebElement> found = browser.findElements(By.cssSelector(css));
    return found.isEmpty() ? "" : found.get(0).getText();
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      TimeUnit.MILLISECONDS.sleep(5);
    }
  }

  private static void row(String name, Stats stats) {
    System.out.printf(
        "| %s | %.1f | %.1f | %.1f |%n",
        name, stats.percentile(50), stats.percentile(99), stats.max());
  }

  private static List<String> concat(List<String> head, String... tail) {
    List<String> all = new ArrayList<>(head);
    all.addAll(List.of(tail));
    return all;
  }

  private static Pipekeeper connect(String connect, String identity) {
    return Pipekeeper.builder()
        .zookeeper(connect)
        .cluster(CLUSTER)
        .identity(identity)
        .sessionTimeout(Duration.ofSeconds(30))
        .build();
  }

  private static CuratorFramework curator(String connect) throws InterruptedException {
    CuratorFramework client = CuratorFrameworkFactory.newClient(connect, new RetryOneTime(100));
    client.start();
    client.blockUntilConnected(10, TimeUnit.SECONDS);
    return client;
  }
}
