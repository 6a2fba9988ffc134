package dev.pipekeeper.connect.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.connect.audit.AuditDecoder.Change;
import dev.pipekeeper.connect.audit.AuditDecoder.Event;
import dev.pipekeeper.embedded.junit.Seeds;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The decoder on hand-made change streams: what each kind of node makes, the state it keeps
 * (graceful leaves, lock queues, the previous assignment, secret keys), and nodes written behind
 * Pipekeeper's back, which are reported, never a crash.
 */
class AuditDecoderTest {
  private static final String ROOT = "/pipekeeper/c";
  private long zxid = 100;

  private Change change(String kind, String path, String data) {
    zxid++;
    return new Change(ROOT + path, kind, data, zxid, zxid, 1_000_000L + zxid);
  }

  @Test
  void aMemberWhoseNodeGoesAfterItsLeaveRecordLeftAndOneWithoutDied() {
    AuditDecoder decoder = new AuditDecoder("c");
    assertThat(type(decoder.decode(change("CREATED", "/members/g/m1", "{}"))))
        .isEqualTo("member.joined");
    decoder.decode(change("CREATED", "/members-left/g/m1@123", ""));
    assertThat(type(decoder.decode(change("DELETED", "/members/g/m1", null))))
        .isEqualTo("member.left");
    assertThat(type(decoder.decode(change("DELETED", "/members/g/m2", null))))
        .isEqualTo("member.died");
    // the leave record is used once: the same member dying later died
    decoder.decode(change("CREATED", "/members/g/m1", "{}"));
    assertThat(type(decoder.decode(change("DELETED", "/members/g/m1", null))))
        .isEqualTo("member.died");
    // snapshots only feed the state
    assertThat(decoder.decode(change("SNAPSHOT", "/members/g/m3", "{}"))).isEmpty();
  }

  @Test
  void aGrantNamesTheFirstContenderAndTheEpoch() {
    AuditDecoder decoder = new AuditDecoder("c");
    decoder.decode(change("CREATED", "/leaders/r/_c_b-latch-0000000002", "late"));
    decoder.decode(change("CREATED", "/leaders/r/_c_a-latch-0000000001", "early"));
    Event granted = decoder.decode(change("CHANGED", "/epochs/r", "7")).orElseThrow();
    assertThat(granted.fields()).containsEntry("epoch", 7L).containsEntry("leader", "early");
    decoder.decode(change("DELETED", "/leaders/r/_c_a-latch-0000000001", null));
    assertThat(decoder.decode(change("CHANGED", "/epochs/r", "8")).orElseThrow().fields())
        .containsEntry("leader", "late");
    assertThat(type(decoder.decode(change("DELETED", "/epochs/r", null))))
        .isEqualTo("role.retired");
  }

  @Test
  void aLockIsTakenByItsFirstNodeAndAReleaseSaysWhoTookItNext() {
    AuditDecoder decoder = new AuditDecoder("c");
    Event taken =
        decoder
            .decode(change("CREATED", "/locks/l/_c_x-lock-0000000001", "{\"owner\":\"a\"}"))
            .orElseThrow();
    assertThat(taken.fields()).containsEntry("owner", "a").containsEntry("token", zxid);
    long tokenA = zxid;
    // a waiter makes no event
    assertThat(
            decoder.decode(change("CREATED", "/locks/l/_c_y-lock-0000000002", "{\"owner\":\"b\"}")))
        .isEmpty();
    long tokenB = zxid;
    Event released =
        decoder.decode(change("DELETED", "/locks/l/_c_x-lock-0000000001", null)).orElseThrow();
    assertThat(released.type()).isEqualTo("lock.released");
    assertThat(released.fields()).containsEntry("token", tokenA);
    assertThat(released.fields().get("takenBy"))
        .isEqualTo(List.of(Map.of("owner", "b", "token", tokenB)));
    // readers share the lock until a writer queues
    String reader = "{\"owner\":\"r1\"}";
    assertThat(type(decoder.decode(change("CREATED", "/locks/rw/_c_r-__READ__0000000001", reader))))
        .isEqualTo("lock.taken");
    assertThat(type(decoder.decode(change("CREATED", "/locks/rw/_c_s-__READ__0000000002", reader))))
        .isEqualTo("lock.taken");
    assertThat(decoder.decode(change("CREATED", "/locks/rw/_c_w-__WRIT__0000000003", reader)))
        .isEmpty();
  }

  @Test
  void anAssignmentSaysWhatMovedSinceTheOneBefore() {
    AuditDecoder decoder = new AuditDecoder("c");
    decoder.decode(
        change(
            "SNAPSHOT",
            "/assignments/g",
            "{\"generation\":1,\"epoch\":3,\"leader\":\"a\",\"owners\":{\"u1\":\"a\",\"u2\":\"b\"}}"));
    Event next =
        decoder
            .decode(
                change(
                    "CHANGED",
                    "/assignments/g",
                    "{\"generation\":2,\"epoch\":3,\"leader\":\"a\","
                        + "\"owners\":{\"u1\":\"b\",\"u3\":\"a\"}}"))
            .orElseThrow();
    assertThat(next.fields()).containsEntry("generation", 2L).containsEntry("previousKnown", true);
    assertThat(next.fields().get("moves").toString())
        .isEqualTo(
            "[{unit=u1, from=a, to=b}, {unit=u2, from=b, to=null}, {unit=u3, from=null, to=a}]");
  }

  @Test
  void aSecretKeysValuesAreMaskedOnceMarkedOrASchemaSaysSo() {
    AuditDecoder decoder = new AuditDecoder("c");
    String entry =
        "{\"who\":\"alice\",\"oldValue\":\"x\",\"newValue\":\"y\",\"comment\":\"c\","
            + "\"scopeVersion\":4}";
    Event open =
        decoder
            .decode(change("CREATED", "/config-history/global/k/v-0000000001", entry))
            .orElseThrow();
    assertThat(open.fields())
        .containsEntry("new", "\"y\"")
        .containsEntry("who", "alice")
        .containsEntry("sequence", 1);
    decoder.decode(change("CREATED", "/config-schema/pipeline/p/k", "{\"writeOnly\":true}"));
    Event masked =
        decoder
            .decode(change("CREATED", "/config-history/member/m/k/v-0000000002", entry))
            .orElseThrow();
    assertThat(masked.fields())
        .containsEntry("new", "\"******\"")
        .containsEntry("old", "\"******\"")
        .containsEntry("scope", "member/m");
    decoder.decode(change("DELETED", "/config-schema/pipeline/p/k", null));
    decoder.decode(change("CREATED", "/config-secret/k", ""));
    assertThat(
            decoder
                .decode(change("CREATED", "/config-history/global/k/v-0000000003", entry))
                .orElseThrow()
                .fields())
        .containsEntry("new", "\"******\"");
  }

  @Test
  void anAlertTransitionIsTypedByItsState() {
    AuditDecoder decoder = new AuditDecoder("c");
    Event fired =
        decoder
            .decode(
                change(
                    "CREATED",
                    "/alerts/history/h-0000000001",
                    "{\"key\":\"member-down/g/m\",\"rule\":\"member-down\",\"state\":\"FIRING\","
                        + "\"severity\":\"CRITICAL\",\"labels\":{\"group\":\"g\"},\"epoch\":2}"))
            .orElseThrow();
    assertThat(fired.type()).isEqualTo("alert.firing");
    assertThat(fired.subject()).isEqualTo("alert/member-down/g/m");
  }

  @Test
  void nodesWrittenBehindPipekeepersBackAreReportedNeverACrash() {
    long seed = Seeds.seed("connect.seed", "AuditDecoderTest");
    Random random = new Random(seed);
    List<String> paths =
        List.of(
            "/epochs/r",
            "/locks/l/_c_x-lock-0000000001",
            "/assignments/g",
            "/config-history/global/k/v-0000000001",
            "/alerts/history/h-0000000001",
            "/config-schema/global/k",
            "/members/g/m",
            "/leaders/r/n",
            "/other/x",
            "/members/g",
            "/config-history/odd/k/v-1",
            "/alerts/history/x");
    List<String> data =
        List.of(
            "", "{", "[]", "null", "\"text\"", "{\"owners\":5}", "12x", "{\"state\":1}", "\u00ff");
    List<String> kinds = List.of("CREATED", "CHANGED", "DELETED", "SNAPSHOT");
    AuditDecoder decoder = new AuditDecoder("c");
    for (int i = 0; i < 2_000; i++) {
      Change change =
          change(
              kinds.get(random.nextInt(kinds.size())),
              paths.get(random.nextInt(paths.size())),
              random.nextInt(10) == 0 ? null : data.get(random.nextInt(data.size())));
      Optional<Event> event = decoder.decode(change);
      event.ifPresent(
          e -> {
            assertThat(e.fields())
                .as("seed %d: %s", seed, change)
                .containsKeys("type", "subject", "time", "zxid");
            if (e.type().equals("unreadable")) {
              assertThat(e.fields().get("reason")).as("seed %d", seed).isNotNull();
            }
          });
    }
    assertThat(decoder.decode(change("CHANGED", "/epochs/r", "nope")).map(Event::type))
        .contains("unreadable");
    assertThat(new AuditDecoder("c").decode(new Change("/elsewhere/x", "CREATED", "", 1, 1, 1)))
        .isEmpty();
  }

  private static String type(Optional<Event> event) {
    return event.map(Event::type).orElse("(none)");
  }
}
