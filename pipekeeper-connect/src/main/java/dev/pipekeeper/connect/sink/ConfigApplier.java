package dev.pipekeeper.connect.sink;

import dev.pipekeeper.connect.sink.PartitionMarks.Mark;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.NotAuthorizedException;
import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.ConfigAddress;
import dev.pipekeeper.core.config.ConfigConflictException;
import dev.pipekeeper.core.config.KeyChange;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * Applies commands to a cluster's configuration tree through Pipekeeper's config module ({@link
 * dev.pipekeeper.core.config.Configuration#commit}), so that values are checked against their
 * schemas, recorded in history (who: the connector; comment: the record's topic, partition and
 * offset), kept secret when their key is, and a batch is one atomic change of its scope; the
 * partition's mark is an extra write of the same multi-op. A create is a set at version -1 (not
 * set); a set without an expected version creates a missing key; a delete of a missing key without
 * one changes nothing (the mark is still written).
 */
final class ConfigApplier implements Applier {
  private final Pipekeeper pipekeeper;
  private final PartitionMarks marks;
  private final String who;

  ConfigApplier(Pipekeeper pipekeeper, PartitionMarks marks, String who) {
    this.pipekeeper = pipekeeper;
    this.marks = marks;
    this.who = who;
  }

  @Override
  public Outcome apply(TopicPartition tp, long offset, Mark mark, List<SinkCommand> commands)
      throws Exception {
    List<String> described = commands.stream().map(SinkCommand::describe).toList();
    ConfigAddress first = ConfigAddress.parse(commands.get(0).path());
    List<KeyChange> changes = new ArrayList<>();
    for (SinkCommand command : commands) {
      String key = ConfigAddress.parse(command.path()).key();
      KeyChange change =
          switch (command.op()) {
            case CREATE, SET -> KeyChange.set(key, command.json());
            case DELETE -> KeyChange.delete(key);
          };
      if (command.expectedVersion().isPresent()) {
        change = change.expectVersion(command.expectedVersion().getAsInt());
      }
      changes.add(change);
    }
    ChangeOptions options =
        ChangeOptions.by(who).comment("kafka " + tp.topic() + "-" + tp.partition() + "@" + offset);
    try {
      pipekeeper
          .config()
          .commit(first.scope(), changes, List.of(marks.extra(tp, mark, offset + 1)), options);
      return Outcome.applied(described);
    } catch (ConfigConflictException e) {
      if (e.getMessage().contains(marks.path(tp)) || marks.read(tp).version() != mark.version()) {
        throw new Fenced(e.getMessage());
      }
      return Outcome.conflict(e.getMessage(), described);
    } catch (InvalidInputException | NotAuthorizedException e) {
      // a schema, the size limit, a secret's rule, an ACL: not this record, ever
      return Outcome.rejected(e.getMessage(), described);
    }
  }

  @Override
  public void close() {
    pipekeeper.close();
  }
}
