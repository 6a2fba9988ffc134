package dev.pipekeeper.console;

import static dev.pipekeeper.console.ConsoleBrowserIT.SCREENSHOTS;
import static dev.pipekeeper.console.ConsoleBrowserIT.browser;
import static dev.pipekeeper.console.ConsoleBrowserIT.requireChromium;
import static dev.pipekeeper.console.ConsoleBrowserIT.screenshot;
import static dev.pipekeeper.console.ConsoleBrowserIT.text;
import static dev.pipekeeper.console.ConsoleIT.BOUND;
import static dev.pipekeeper.console.ConsoleIT.JSON;
import static dev.pipekeeper.console.ConsoleIT.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * The page's audit card in a real browser: the last hour's events on load, newest first, and a new
 * event on the page without a reload. The feed here is the test's own list: reading the events from
 * a Kafka topic is {@code ConsoleAuditIT}'s part (pipekeeper-app), this is the page's.
 */
@ExtendWith(EmbeddedClusterExtension.class)
class ConsoleAuditBrowserIT {

  @Test
  void theAuditCardShowsThePastAndEachNewEventLive(TestCluster cluster) throws Exception {
    requireChromium();
    Files.createDirectories(SCREENSHOTS);
    ListFeed feed = new ListFeed();
    feed.events.add(event(cluster, "member.joined", "orders/worker-1", "member", "worker-1"));
    feed.events.add(event(cluster, "leader.granted", "nightly", "epoch", "3"));
    try (Pipekeeper pk = connect(cluster, "console-audit");
        Console console = Console.builder(pk).audit(feed).build().start()) {
      WebDriver browser = browser();
      try {
        browser.get(console.url().toString());
        JavascriptExecutor js = (JavascriptExecutor) browser;
        js.executeScript("window.__sameDocument = 'yes';");
        await().atMost(BOUND).until(() -> items(browser).size() == 2);
        assertThat(text(browser, "#audit-source")).isEqualTo("from test list, live");
        assertThat(items(browser).get(0)).contains("leader.granted", "nightly", "epoch=3");
        assertThat(items(browser).get(1)).contains("member.joined", "member=worker-1");

        feed.publish(event(cluster, "config.changed", "global/batch.size", "by", "alice"));
        await().atMost(BOUND).until(() -> items(browser).size() == 3);
        assertThat(items(browser).get(0)).contains("config.changed", "by=alice");
        assertThat(js.executeScript("return window.__sameDocument")).isEqualTo("yes");
        screenshot(browser, "03-audit.png");
      } finally {
        browser.quit();
      }
    }
  }

  private static List<String> items(WebDriver browser) {
    return browser.findElements(By.cssSelector("#audit-events li[data-type]")).stream()
        .map(e -> e.getText())
        .toList();
  }

  private static JsonNode event(
      TestCluster cluster, String type, String subject, String field, String value) {
    ObjectNode event = JSON.createObjectNode();
    event.put("type", type);
    event.put("cluster", cluster.cluster());
    event.put("subject", subject);
    event.put("time", Instant.now().toString());
    event.put(field, value);
    return event;
  }

  /** Events kept in a list: pages from it, and the ones the test publishes followed. */
  private static final class ListFeed implements AuditFeed {
    final List<JsonNode> events = new CopyOnWriteArrayList<>();
    private volatile Consumer<JsonNode> listener;

    @Override
    public String source() {
      return "test list";
    }

    @Override
    public List<JsonNode> page(String since, int limit) {
      return events.stream().limit(limit).toList();
    }

    @Override
    public void follow(Consumer<JsonNode> listener) {
      this.listener = listener;
    }

    void publish(JsonNode event) {
      events.add(event);
      listener.accept(event);
    }

    @Override
    public void close() {}
  }
}
