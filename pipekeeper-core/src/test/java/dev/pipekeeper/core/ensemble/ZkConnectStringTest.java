package dev.pipekeeper.core.ensemble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.embedded.junit.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ZkConnectStringTest {

  @Test
  void parsesServersPortsAndChroot() {
    ZkConnectString parsed = ZkConnectString.parse("zk1:2181, zk2 ,[::1]:2182/pipekeeper/prod");
    assertThat(parsed.servers())
        .containsExactly(
            new HostAndPort("zk1", 2181),
            new HostAndPort("zk2", 2181),
            new HostAndPort("::1", 2182));
    assertThat(parsed.chroot()).contains("/pipekeeper/prod");
    assertThat(parsed.serversString()).isEqualTo("zk1:2181,zk2:2181,[::1]:2182");
    assertThat(ZkConnectString.parse("h:1/").chroot()).isEmpty();
  }

  @Test
  void refusesMalformedInputNamingTheProblem() {
    assertRefused("", "empty");
    assertRefused("zk1:2181,,zk2", "empty server entry");
    assertRefused("zk1:abc", "not a number");
    assertRefused("zk1:70000", "outside 1 to 65535");
    assertRefused("zk1:0", "outside 1 to 65535");
    assertRefused(":2181", "no host name");
    assertRefused("fe80::1:2181", "more than one ':'");
    assertRefused("[::1:2181", "without closing");
    assertRefused("zk1/chroot/", "must not end with '/'");
    assertRefused("zk1/a//b", "empty path element");
    assertRefused("zk1/a/../b", "'.' or '..'");
    assertRefused("zk 1:2181", "not a valid host name");
  }

  /** Property: printing a parsed connect string and parsing it again gives the same value. */
  @Test
  void roundTripsRandomConnectStrings() {
    long seed = Seeds.seed("property.seed", "ZkConnectStringTest round trips");
    Random random = new Random(seed);
    for (int i = 0; i < 2000; i++) {
      ZkConnectString original = randomConnectString(random);
      String text = original.toString();
      try {
        assertThat(ZkConnectString.parse(text)).isEqualTo(original);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("seed " + seed + ", case " + i + ": '" + text + "'", e);
      }
    }
  }

  /** Property: no input makes the parser fail with anything but a clear InvalidInputException. */
  @Test
  void randomGarbageIsRefusedCleanlyOrParsed() {
    long seed = Seeds.seed("property.seed", "ZkConnectStringTest garbage");
    Random random = new Random(seed);
    String alphabet = "az09.:,/[]-_ %";
    for (int i = 0; i < 5000; i++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(20);
      for (int j = 0; j < length; j++) {
        text.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      try {
        ZkConnectString parsed = ZkConnectString.parse(text.toString());
        assertThat(parsed.servers()).isNotEmpty();
        assertThat(parsed.servers()).allMatch(s -> s.port() >= 1 && s.port() <= 65535);
      } catch (InvalidInputException expected) {
        assertThat(expected.getMessage()).isNotBlank();
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + ": '" + text + "' threw " + e, e);
      }
    }
  }

  private static ZkConnectString randomConnectString(Random random) {
    List<HostAndPort> servers = new ArrayList<>();
    int count = 1 + random.nextInt(5);
    for (int i = 0; i < count; i++) {
      String host =
          random.nextInt(5) == 0
              ? "fe80::" + Integer.toHexString(random.nextInt(0xffff))
              : "zk" + random.nextInt(1000) + ".example-" + random.nextInt(10) + ".org";
      servers.add(new HostAndPort(host, 1 + random.nextInt(65535)));
    }
    Optional<String> chroot = Optional.empty();
    if (random.nextBoolean()) {
      StringBuilder path = new StringBuilder();
      int depth = 1 + random.nextInt(3);
      for (int i = 0; i < depth; i++) {
        path.append('/').append("p").append(random.nextInt(100));
      }
      chroot = Optional.of(path.toString());
    }
    return new ZkConnectString(servers, chroot);
  }

  private static void assertRefused(String text, String reason) {
    assertThatThrownBy(() -> ZkConnectString.parse(text))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(reason);
  }
}
