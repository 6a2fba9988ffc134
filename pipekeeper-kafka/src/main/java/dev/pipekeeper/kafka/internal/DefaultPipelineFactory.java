package dev.pipekeeper.kafka.internal;

import dev.pipekeeper.kafka.Pipeline;
import dev.pipekeeper.kafka.PipelineBuilder;

/** Creates pipelines from their builders. */
public final class DefaultPipelineFactory implements PipelineBuilder.Factory {
  public static final DefaultPipelineFactory INSTANCE = new DefaultPipelineFactory();

  private DefaultPipelineFactory() {}

  @Override
  public <KI, VI, KO, VO> Pipeline create(PipelineBuilder<KI, VI, KO, VO> settings) {
    return switch (settings.mode()) {
      case PARALLEL -> new ParallelPipeline<>(settings);
      case SINGLETON -> new SingletonPipeline<>(settings);
      case SHARDED -> new ShardedPipeline<>(settings);
    };
  }
}
