package dev.pipekeeper.core.coordination;

import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import dev.pipekeeper.embedded.junit.ZooKeeperQuorum;
import org.junit.jupiter.api.extension.ExtendWith;

/** The coordination contract against a 3-server ZooKeeper quorum. */
@ExtendWith(EmbeddedClusterExtension.class)
@ZooKeeperQuorum
class QuorumContractIT extends CoordinationContract {
  @Override
  boolean quorum() {
    return true;
  }
}
