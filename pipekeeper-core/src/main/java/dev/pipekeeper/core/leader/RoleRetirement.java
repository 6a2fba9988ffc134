package dev.pipekeeper.core.leader;

import java.time.Instant;
import java.util.List;

/**
 * A role retired: it ended on purpose, so that no leader is not a failure. Recorded in {@code
 * roles-retired/ROLE} when its last contender closes gracefully, or when an operator retires it
 * ({@code pipekeeper leaders retire}, which also removes the role's nodes). A contender that comes
 * later un-retires the role: it is granted the next epoch after {@link #epoch()}, so fencing tokens
 * keep rising across a retirement.
 *
 * @param role the role
 * @param epoch the epoch it ended at
 * @param by who retired it: the identity of its last contender, or the operator's connection
 * @param at when
 * @param explicit whether an operator retired it (its nodes removed), not its last contender's
 *     graceful close
 * @param contenders the contenders an explicit, forced retirement removed (none otherwise)
 */
public record RoleRetirement(
    String role, long epoch, String by, Instant at, boolean explicit, List<String> contenders) {
  public RoleRetirement {
    contenders = contenders == null ? List.of() : List.copyOf(contenders);
  }
}
