package dev.pipekeeper.bench;

import java.util.concurrent.TimeUnit;

/**
 * What a ZooKeeper server holds at one moment, from its four-letter words: znodes and ephemeral
 * znodes ({@code mntr} {@code zk_znode_count}, {@code zk_ephemerals_count}) and watches ({@code
 * wchs} total: one per watched path and watching connection).
 */
record MemberCost(long znodes, long ephemerals, long watches) {

  static MemberCost read(FourLetterWords server) {
    return new MemberCost(
        server.mntr("zk_znode_count"), server.mntr("zk_ephemerals_count"), server.totalWatches());
  }

  /**
   * Reads until three readings 200 ms apart agree (background creates and watch registrations have
   * landed).
   *
   * @throws IllegalStateException if they did not agree within 30 s
   */
  static MemberCost settled(FourLetterWords server) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    MemberCost last = read(server);
    int same = 1;
    while (same < 3) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the server's counts did not settle: " + last);
      }
      Thread.sleep(200);
      MemberCost now = read(server);
      same = now.equals(last) ? same + 1 : 1;
      last = now;
    }
    return last;
  }

  MemberCost minus(MemberCost other) {
    return new MemberCost(
        znodes - other.znodes, ephemerals - other.ephemerals, watches - other.watches);
  }
}
