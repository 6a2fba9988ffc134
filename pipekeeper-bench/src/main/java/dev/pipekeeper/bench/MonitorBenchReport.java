package dev.pipekeeper.bench;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.monitor.Rule;
import java.util.List;

/**
 * The report of a {@link MonitorBench} run: what the steady window and the detection rounds
 * measured, written as the Markdown tables of docs/benchmarks.md.
 */
final class MonitorBenchReport {
  private MonitorBenchReport() {}

  /** What the steady window measured. */
  record Cost(
      Stats monitorCpuMs,
      Stats tookMs,
      Stats ownReads,
      Stats watchReads,
      Stats allReads,
      Stats serverReceived,
      double monitorConnectionCpuMs,
      Stats pollerCpuMs,
      Stats pollerWallMs,
      Stats pollerReads,
      Stats pollerServerReceived,
      double pollerConnectionCpuMs,
      int pollerRecords,
      long missed,
      double windowSeconds) {}

  /** One detection round's instants ({@link System#nanoTime()}) and the alerts' own times. */
  record Detection(
      long cut,
      long nodeDeleted,
      long downFired,
      double downPendingAfterDeleteMs,
      double downPendingToFiredMs,
      long rejoined,
      long downResolved,
      long switched,
      long failingPublished,
      long errorsFired,
      long negotiatedMs) {}

  /** Appends the run's setup line, the cost table and the detection table to {@code out}. */
  static void write(
      MonitorBench.Settings s,
      StringBuilder out,
      int members,
      List<Rule> rules,
      double setupSeconds,
      Cost c,
      List<Detection> detections,
      Pipekeeper monitorPk) {
    out.append(
        String.format(
            "%d members (%d groups × %d), each on its own connection, health every %d ms,"
                + " member session %d ms (negotiated %d ms); monitor every %d ms, %d rules,"
                + " `for` %d ms; members up in %.1f s.%n%n",
            members,
            s.groups(),
            s.perGroup(),
            s.member().healthMs(),
            s.member().sessionMs(),
            detections.isEmpty() ? -1 : detections.get(0).negotiatedMs(),
            s.intervalMs(),
            rules.size(),
            s.forMs(),
            setupSeconds));
    out.append(
        String.format(
            "### Cost per evaluation, steady (%d evaluations in %.1f s, %d late or missed looks)%n%n",
            c.tookMs().count(), c.windowSeconds(), c.missed()));
    out.append("| measure | monitor p50 | monitor p99 | monitor mean | naive poller p50 |");
    out.append(" naive poller p99 | naive poller mean | ratio of means, monitor / poller |\n");
    out.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    out.append(
        row("CPU of the evaluating thread (ms)", c.monitorCpuMs(), c.pollerCpuMs(), "%.2f", true));
    out.append(
        String.format(
            "| CPU of its connection's ZooKeeper threads (ms) | — | — | %.2f | — | — | %.2f | %.3f |%n",
            c.monitorConnectionCpuMs(),
            c.pollerConnectionCpuMs(),
            c.monitorConnectionCpuMs() / c.pollerConnectionCpuMs()));
    out.append(row("wall time (ms)", c.tookMs(), c.pollerWallMs(), "%.1f", true));
    out.append(row("ZooKeeper reads, own (`zookeeperReads`)", c.ownReads(), null, "%.0f", false));
    out.append(row("ZooKeeper reads, watches (`watchReads`)", c.watchReads(), null, "%.0f", false));
    out.append(row("ZooKeeper reads, all", c.allReads(), c.pollerReads(), "%.0f", true));
    out.append(
        row(
            "packets received by the server from the session (`cons` recved)",
            c.serverReceived(),
            c.pollerServerReceived(),
            "%.0f",
            true));
    out.append(
        String.format(
            "%nThe naive poller decoded %d records per poll. The members' applied-configuration"
                + " records name %d distinct scopes (`config-drift` reads each scope's version"
                + " once per evaluation). Monitor session 0x%s.%n%n",
            c.pollerRecords(),
            monitorPk.config().applied().values().stream()
                .flatMap(a -> a.versions().keySet().stream())
                .distinct()
                .count(),
            Long.toHexString(monitorPk.sessionId())));

    Stats expiry = new Stats();
    Stats downAfterDelete = new Stats();
    Stats downTotal = new Stats();
    Stats pendingAfterDelete = new Stats();
    Stats pendingToFired = new Stats();
    Stats resolved = new Stats();
    Stats published = new Stats();
    Stats errorsAfterPublish = new Stats();
    Stats errorsTotal = new Stats();
    for (Detection d : detections) {
      expiry.add(ms(d.nodeDeleted() - d.cut()));
      downAfterDelete.add(ms(d.downFired() - d.nodeDeleted()));
      downTotal.add(ms(d.downFired() - d.cut()));
      pendingAfterDelete.add(d.downPendingAfterDeleteMs());
      pendingToFired.add(d.downPendingToFiredMs());
      resolved.add(ms(d.downResolved() - d.rejoined()));
      published.add(ms(d.failingPublished() - d.switched()));
      errorsAfterPublish.add(ms(d.errorsFired() - d.failingPublished()));
      errorsTotal.add(ms(d.errorsFired() - d.switched()));
    }
    double detectTarget = s.forMs() + s.intervalMs();
    double healthTarget = s.forMs() + s.intervalMs() + s.member().healthMs();
    out.append(String.format("### Detection (%d rounds)%n%n", detections.size()));
    out.append("| measure | p50 (ms) | p99 (ms) | max (ms) | bound (ms) | p99 / bound |\n");
    out.append("| --- | --- | --- | --- | --- | --- |\n");
    out.append(detectRow("member cut off → member node deleted (session expiry)", expiry, "—"));
    out.append(
        detectRow(
            "node deleted → `member-down` FIRING at the sink",
            downAfterDelete,
            String.format("%.0f", detectTarget)));
    out.append(
        detectRow("  of which: node deleted → PENDING (monitor's clock)", pendingAfterDelete, "—"));
    out.append(detectRow("  of which: PENDING → FIRING (monitor's clock)", pendingToFired, "—"));
    out.append(detectRow("member cut off → `member-down` FIRING", downTotal, "—"));
    out.append(detectRow("member back → `member-down` RESOLVED", resolved, "—"));
    out.append(
        detectRow("error rate switched → first failing health record written", published, "—"));
    out.append(
        detectRow(
            "failing record written → `errors` FIRING",
            errorsAfterPublish,
            String.format("%.0f", detectTarget)));
    out.append(
        detectRow(
            "error rate switched → `errors` FIRING",
            errorsTotal,
            String.format("%.0f", healthTarget)));
  }

  private static String row(String what, Stats monitor, Stats poller, String f, boolean ratio) {
    String p50 = String.format(f, monitor.percentile(50));
    String p99 = String.format(f, monitor.percentile(99));
    String mean = String.format(f, monitor.mean());
    String b50 = poller == null ? "—" : String.format(f, poller.percentile(50));
    String b99 = poller == null ? "—" : String.format(f, poller.percentile(99));
    String bMean = poller == null ? "—" : String.format(f, poller.mean());
    String r =
        poller == null || !ratio ? "—" : String.format("%.3f", monitor.mean() / poller.mean());
    return String.join(" | ", "| " + what, p50, p99, mean, b50, b99, bMean, r) + " |\n";
  }

  private static String detectRow(String what, Stats stats, String bound) {
    String ratio =
        bound.equals("—")
            ? "—"
            : String.format(
                "%.2f (%s)",
                stats.percentile(99) / Double.parseDouble(bound),
                stats.percentile(99) <= Double.parseDouble(bound) ? "met" : "missed");
    return String.format(
        "| %s | %.0f | %.0f | %.0f | %s | %s |%n",
        what, stats.percentile(50), stats.percentile(99), stats.max(), bound, ratio);
  }

  /** Nanoseconds as milliseconds. */
  static double ms(long nanos) {
    return nanos / 1e6;
  }
}
