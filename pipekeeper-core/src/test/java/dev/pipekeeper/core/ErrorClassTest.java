package dev.pipekeeper.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipekeeper.core.config.ConfigConflictException;
import dev.pipekeeper.core.config.UnreadableConfigException;
import org.junit.jupiter.api.Test;

class ErrorClassTest {
  @Test
  void eachExceptionHasTheMostSpecificClassItsTypeIs() {
    assertThat(ErrorClass.of(new NotFoundException("no group g"))).isEqualTo(ErrorClass.NOT_FOUND);
    assertThat(ErrorClass.of(new InvalidInputException("bad"))).isEqualTo(ErrorClass.BAD_INPUT);
    assertThat(ErrorClass.of(new ConfigConflictException("changed")))
        .isEqualTo(ErrorClass.CONFLICT);
    assertThat(ErrorClass.of(new NotAuthorizedException("no", "/p", null)))
        .isEqualTo(ErrorClass.FORBIDDEN);
    assertThat(ErrorClass.of(new AuthenticationException("tls"))).isEqualTo(ErrorClass.FORBIDDEN);
    assertThat(ErrorClass.of(new UnreachableException("ZooKeeper", "h:1", "refused")))
        .isEqualTo(ErrorClass.UNREACHABLE);
    assertThat(ErrorClass.of(new UnreadableConfigException("bad JSON")))
        .isEqualTo(ErrorClass.FAILED);
    assertThat(ErrorClass.of(new IllegalStateException("bug"))).isEqualTo(ErrorClass.INTERNAL);
    assertThat(ErrorClass.NOT_FOUND.label()).isEqualTo("not-found");
  }
}
