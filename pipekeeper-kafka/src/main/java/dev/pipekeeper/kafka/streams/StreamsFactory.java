package dev.pipekeeper.kafka.streams;

import dev.pipekeeper.core.config.ConfigView;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Builds a new, not yet started {@link KafkaStreams} for a {@link StreamsMember}. A {@code
 * KafkaStreams} cannot be started again once closed, so the member calls this every time it needs
 * one: at start, on every grant of its role when it runs leader-only, and when a {@linkplain
 * StreamsMemberBuilder#restartOn restart key} changes.
 *
 * <p>Called on the member's own thread, one call at a time. Do not start the instance, and do not
 * set its state listener or uncaught exception handler: the member sets them (give yours to the
 * {@linkplain StreamsMemberBuilder builder}). Give each instance the same {@code application.id};
 * its {@code state.dir} outlives the instance, so a rebuilt one finds its local state again.
 */
@FunctionalInterface
public interface StreamsFactory {

  /**
   * @param config the member's live configuration (member over pipeline over global); a topology
   *     may keep it and read values per record, which then change without a restart
   * @return a new instance in state {@link KafkaStreams.State#CREATED}
   */
  KafkaStreams create(ConfigView config);
}
