package dev.pipekeeper.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The processing function of a pipeline: called once per input record, on the pipeline's own
 * thread. It emits output through the context; what it emits is sent only if it returns normally. A
 * record whose processing throws is retried ({@link PipelineKeys#RETRIES}) and then sent to the
 * dead-letter topic with the error in its headers; the pipeline keeps running.
 *
 * @param <KI> input key type
 * @param <VI> input value type
 * @param <KO> output key type
 * @param <VO> output value type
 */
@FunctionalInterface
public interface Processor<KI, VI, KO, VO> {

  void process(ConsumerRecord<KI, VI> record, PipelineContext<KO, VO> context);
}
