package dev.pipekeeper.core.assignment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.internal.ZkLayout;
import dev.pipekeeper.core.testing.Clients;
import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.TestCluster;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedClusterExtension.class)
class WorkUnitsIT {

  @Test
  void unitsAreAddedPinnedUnpinnedAndRemovedAtRuntime(TestCluster cluster) {
    try (Pipekeeper a = Clients.connect(cluster, "a");
        Pipekeeper b = Clients.connect(cluster, "b")) {
      WorkUnits units = a.workUnits("ingest");
      units.put(WorkUnit.of("tenant-1"));
      units.put(WorkUnit.of("tenant-2").withWeight(3));
      units.put(WorkUnit.of("tenant-3").pinnedToTag("zone=a"));
      WorkUnits seenByB = b.workUnits("ingest");
      assertThat(seenByB.list())
          .containsExactly(
              WorkUnit.of("tenant-1"),
              WorkUnit.of("tenant-2").withWeight(3),
              WorkUnit.of("tenant-3").pinnedToTag("zone=a"));

      seenByB.pin("tenant-1", "member-7");
      assertThat(units.get("tenant-1").orElseThrow().pinnedMember()).contains("member-7");
      units.unpin("tenant-3");
      assertThat(units.get("tenant-3").orElseThrow().isPinned()).isFalse();
      units.put(WorkUnit.of("tenant-2").withWeight(5));
      assertThat(units.get("tenant-2").orElseThrow().weight()).isEqualTo(5);
      units.remove("tenant-2");
      assertThat(seenByB.list()).extracting(WorkUnit::name).containsExactly("tenant-1", "tenant-3");

      // The stored units feed the assigner as they are.
      Plan plan =
          Assigner.assign(
              units.list(),
              List.of(new Slot("member-7", 10, Map.of()), new Slot("member-8", 10, Map.of())),
              Map.of());
      assertThat(plan.owners()).containsEntry("tenant-1", "member-7").hasSize(2);
    }
  }

  @Test
  void badInputIsRefusedAndMalformedNodesAreSkipped(TestCluster cluster) throws Exception {
    try (Pipekeeper pk = Clients.connect(cluster, "a");
        CuratorFramework raw =
            CuratorFrameworkFactory.newClient(cluster.zkConnect(), new RetryOneTime(100))) {
      raw.start();
      WorkUnits units = pk.workUnits("g");
      assertThatThrownBy(() -> units.remove("missing"))
          .isInstanceOf(InvalidInputException.class)
          .hasMessage("group g has no work unit missing");
      assertThatThrownBy(() -> units.pin("missing", "m"))
          .isInstanceOf(InvalidInputException.class)
          .hasMessage("group g has no work unit missing");
      assertThatThrownBy(() -> WorkUnit.of("u").withWeight(0))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("weight must be at least 1");
      assertThatThrownBy(() -> WorkUnit.of("u").pinnedToTag("zone"))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("must be written key=value");
      assertThatThrownBy(() -> WorkUnit.of("a/b")).isInstanceOf(InvalidInputException.class);
      assertThatThrownBy(() -> pk.workUnits("bad group")).isInstanceOf(InvalidInputException.class);

      units.put(WorkUnit.of("good"));
      raw.create()
          .forPath(
              ZkLayout.root(cluster.cluster()) + ZkLayout.unit("g", "broken"),
              "{\"weight\":-4}".getBytes(StandardCharsets.UTF_8));
      assertThat(units.list()).extracting(WorkUnit::name).containsExactly("good");
      assertThat(units.get("broken")).isEqualTo(Optional.empty());
    }
  }
}
