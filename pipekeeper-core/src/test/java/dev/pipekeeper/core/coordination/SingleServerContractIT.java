package dev.pipekeeper.core.coordination;

import dev.pipekeeper.embedded.junit.EmbeddedClusterExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/** The coordination contract against one ZooKeeper server. */
@ExtendWith(EmbeddedClusterExtension.class)
class SingleServerContractIT extends CoordinationContract {
  @Override
  boolean quorum() {
    return false;
  }
}
