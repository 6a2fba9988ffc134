package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipekeeper.app.Main;
import dev.pipekeeper.embedded.ChildJvm;
import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@code pipekeeper demo --scripted} as a newcomer runs it, in its own JVM: every step verified, or
 * the step that was not named; nothing left running afterwards.
 */
class DemoIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofMinutes(6));
  private static final List<String> JVM = List.of("-Xmx1g", "-XX:+UseSerialGC");

  private static final String LOG = "their log: ";
  private static final String CONSOLE = "the console shows it all live at ";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static int runToTheEnd(ChildJvm demo) {
    await().atMost(BOUND).until(() -> !demo.isAlive());
    return demo.terminate(Duration.ZERO);
  }

  @Test
  void theScriptedDemoVerifiesEveryStepAndLeavesNothingRunning() {
    try (ChildJvm demo = ChildJvm.start(Main.class, List.of("demo", "--scripted"), JVM)) {
      // the servers' own log goes to a file in the demo's data folder, not to its console
      await().atMost(BOUND).until(() -> demo.lines().stream().anyMatch(l -> l.contains(LOG)));
      String up = demo.lines().stream().filter(l -> l.contains(LOG)).findFirst().orElseThrow();
      Path serverLog = Path.of(up.substring(up.indexOf(LOG) + LOG.length()).strip());
      assertThat(serverLog.getFileName()).hasToString("servers.log");
      assertThat(serverLog).exists();
      // the console is up before the story starts, and its event stream follows the story
      await().atMost(BOUND).until(() -> demo.lines().stream().anyMatch(l -> l.contains(CONSOLE)));
      String shown = demo.lines().stream().filter(l -> l.contains(CONSOLE)).findFirst().get();
      URI console =
          URI.create(shown.substring(shown.indexOf(CONSOLE) + CONSOLE.length()).split(" ")[0]);
      HttpClient http = HttpClient.newHttpClient();
      List<String> stream = new CopyOnWriteArrayList<>();
      http.sendAsync(
              HttpRequest.newBuilder(console.resolve("/api/v1/events"))
                  .header("Accept", "text/event-stream")
                  .build(),
              HttpResponse.BodyHandlers.ofLines())
          .thenAccept(response -> response.body().forEach(stream::add));
      // the API answers during the run: the enrichment instances, once they run
      await()
          .atMost(BOUND)
          .until(
              () ->
                  JSON.readTree(
                              get(
                                  http,
                                  console.resolve(
                                      "/api/v1/clusters/demo/groups/enrichment/members")))
                          .path("members")
                          .size()
                      == 3);
      assertEveryStepVerifiedAndNothingLeft(demo);
      assertThat(serverLog.getParent()).as("the data folder is deleted").doesNotExist();
      String events = String.join("\n", stream);
      assertThat(events)
          .as("each step of the story is on the console's event stream")
          .contains("event: member-joined")
          .contains("event: config\ndata: {\"scope\":\"pipeline/enrichment\"")
          .contains("\"changed\":[\"enrichment.threshold\"]")
          .contains("event: member-left")
          .contains("event: leaders")
          .containsPattern(
              "event: member-updated\ndata: \\{\"group\":\"ingester\".*\"state\":\"DRAINING\"")
          .contains("event: assignment\ndata: {\"group\":\"ingester\"")
          .containsPattern("event: alerts\ndata: .*member-down/enrichment/enrichment-3");
    }
  }

  private static String get(HttpClient http, URI uri) throws Exception {
    HttpResponse<String> response =
        http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    return response.statusCode() == 200 ? response.body() : "{}";
  }

  /**
   * On secured servers the same story, the instances and the monitor as writer with only their
   * pipelines' Kafka ACLs: nothing refused, no false alert.
   */
  @Test
  void theSecuredScriptedDemoVerifiesEveryStepAsWriter() {
    try (ChildJvm demo =
        ChildJvm.start(Main.class, List.of("demo", "--scripted", "--secure"), JVM)) {
      String out = assertEveryStepVerifiedAndNothingLeft(demo);
      assertThat(out)
          .contains("secured: ZooKeeper TLS only with SASL required")
          .contains("the instances and the monitor run as writer")
          .doesNotContainIgnoringCase("authorization")
          .doesNotContain("not authorized")
          .doesNotContain("FIRING critical kafka")
          .doesNotContain("FIRING critical zookeeper");
    }
  }

  /** Runs the demo to its end; asserts what every scripted story must show; returns its output. */
  private static String assertEveryStepVerifiedAndNothingLeft(ChildJvm demo) {
    int exit = runToTheEnd(demo);
    String out = String.join("\n", demo.lines());
    assertThat(exit).as(out).isZero();
    for (String step :
        List.of(
            "start the servers and the fleet",
            "records flowing",
            "live config change",
            "SINGLETON leader killed",
            "SHARDED member drained",
            "alert fires and resolves")) {
      assertThat(demo.lines()).as(out).anyMatch(l -> l.startsWith(step) && l.contains(" yes "));
    }
    assertThat(out)
        .contains("applied by 3/3 instances")
        .contains("0 records of epoch")
        .contains("every event once, no gap")
        .contains("alert FIRING critical member-down/enrichment/enrichment-3")
        .contains("alert RESOLVED critical member-down/enrichment/enrichment-3")
        .contains("demo: every step verified; stopping")
        .contains("demo: stopped; nothing left running");
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive))
        .as("no instance outlives the demo")
        .isEmpty();
    return out;
  }

  @Test
  void aStepNotVerifiedInTimeFailsTheDemoNamingIt() {
    try (ChildJvm demo =
        ChildJvm.start(Main.class, List.of("demo", "--scripted", "--step-timeout", "1s"), JVM)) {
      int exit = runToTheEnd(demo);
      String out = String.join("\n", demo.lines());
      assertThat(exit).as(out).isEqualTo(1);
      assertThat(out)
          .contains("demo: step 'start the servers and the fleet' was not verified; stopping")
          .contains("demo: stopped; nothing left running");
      assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
    }
  }

  @Test
  void badInputIsRefusedBeforeAnythingStarts() {
    CliRun run = CliRun.run("demo", "--step-timeout", "0s");
    assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("--step-timeout must be at least 1s");
    CliRun port = CliRun.run("demo", "--console-port", "70000");
    assertThat(port.exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(port.err()).contains("--console-port must be between 0 and 65535, not 70000");
    assertThat(CliRun.run("demo", "--help").out()).contains("--scripted");
  }
}
