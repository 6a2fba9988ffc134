package dev.pipekeeper.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Configuration in ZooKeeper: validated, versioned (history, rollback), changed atomically and
 * pushed live to {@link ConfigView}s.
 *
 * <p>Every change, of one key or many, is one ZooKeeper multi-op that also writes the scope's
 * commit node (with compare-and-set on the scope version) and a history entry per key; a value that
 * is not valid JSON, holds a number that is not finite (JSON has no {@code Infinity} or {@code
 * NaN}), exceeds the size limit, or fails its key's JSON Schema is refused with a message naming
 * the key and the reason, and nothing is written. So is a change whose multi-op (its values, their
 * history entries, which hold the old and the new value, and the paths) would be larger than one
 * ZooKeeper request may be: the client's {@code jute.maxbuffer} ({@link
 * org.apache.zookeeper.client.ZKClientConfig}, 1 MB by default) less a margin for what the server
 * adds; ZooKeeper would drop the connection instead of answering.
 *
 * <p>Values are Jackson {@link JsonNode}s, or plain Java values (records, maps, lists, strings,
 * numbers, booleans, {@code java.time} types) that the typed setters ({@link #set(Scope, String,
 * Object, ChangeOptions)}, {@link #applyValues}, {@link #setIfAbsent(Scope, String, Object,
 * ChangeOptions)}) convert through Jackson, as {@link ConfigView#get} converts them back.
 *
 * <p>Several instances of an application started at once (the replicas of a deployment) can each
 * install what they need with {@link #ensureSchema} and {@link #setIfAbsent}: both retry on
 * conflicts until they converge, and do nothing when what they would write is already there.
 *
 * <p>All methods block on ZooKeeper and are safe to call from any thread.
 */
public interface Configuration {

  /**
   * A key's stored value in one scope (no resolution across scopes).
   *
   * @throws dev.pipekeeper.core.InvalidInputException for a malformed key
   * @throws UnreadableConfigException if the stored value is not valid JSON (written behind
   *     Pipekeeper's back): it is kept out, not shown as a string
   */
  Optional<ConfigEntry> get(Scope scope, String key);

  /**
   * Every readable key of a scope, sorted; nodes written behind Pipekeeper's back that are not
   * readable keys are skipped (see {@link #listing} for which and why).
   */
  default List<ConfigEntry> list(Scope scope) {
    return listing(scope).entries();
  }

  /**
   * Every readable key of a scope, sorted, and the nodes skipped: a name that is not a config key
   * or a value that is not valid JSON (written behind Pipekeeper's back) is reported, never a
   * reason to hide the good keys.
   */
  ConfigListing listing(Scope scope);

  /**
   * Whether {@code key}'s values in {@code scope} are secret, by the one rule of {@link Secrets}: a
   * {@code "writeOnly"} schema for the key in any scope, now or before, unless revealed since.
   */
  boolean isSecret(Scope scope, String key);

  /**
   * Ends a key's secrecy on purpose (see {@link Secrets}): its values and history are shown in
   * clear from then on. Recorded as a change of {@code scope} whose history entry for the key says
   * who, when and why (comment {@code secret revealed: ...}; the value is unchanged), in the same
   * multi-op that removes the key's secret marker.
   *
   * @throws dev.pipekeeper.core.InvalidInputException if the key is not secret, or a schema with
   *     {@code "writeOnly": true} still marks it in some scope (delete or replace it first)
   * @throws ConfigConflictException if the schemas, the marker or the key changed meanwhile
   */
  ConfigCommit reveal(Scope scope, String key, ChangeOptions options);

  /** The scope's version: the number of changes written to it (0 if never changed). */
  int version(Scope scope);

  /** The scopes that hold configuration (a foreign node that is no scope name is skipped). */
  List<Scope> scopes();

  /**
   * Sets one key.
   *
   * @throws dev.pipekeeper.core.InvalidInputException for a malformed key or a refused value
   * @throws ConfigConflictException if the key's version is not the expected one
   */
  ConfigCommit set(Scope scope, String key, JsonNode value, ChangeOptions options);

  /**
   * Sets one key to a plain Java value, converted to JSON through Jackson (a {@link JsonNode} is
   * taken as it is): records and beans become objects, collections arrays, {@code Optional}s their
   * content, {@code java.time} values what Jackson's JSR-310 module writes (instants as ISO-8601
   * strings, durations as seconds); {@link ConfigView#get(String, Class)} converts them back.
   *
   * @throws dev.pipekeeper.core.InvalidInputException for a malformed key, a value Jackson cannot
   *     convert, or a refused value
   * @throws ConfigConflictException if the key's version is not the expected one
   */
  ConfigCommit set(Scope scope, String key, Object value, ChangeOptions options);

  /**
   * Sets one key only if it has no value: one atomic step (the multi-op creates the key, which
   * fails if another writer created it meanwhile), retried on conflicts until it converges. For
   * defaults that every instance installs at start: exactly one of them writes it.
   *
   * @param options who and why; an expected version is refused (the condition is "unset")
   * @return the change written, or, if the key already had a value (left as it was), a commit with
   *     no {@linkplain ConfigCommit#keys() keys} and the scope's current version
   * @throws dev.pipekeeper.core.InvalidInputException for a malformed key or a refused value
   * @throws ConfigConflictException only if other writers kept changing the scope through 100
   *     attempts
   */
  ConfigCommit setIfAbsent(Scope scope, String key, JsonNode value, ChangeOptions options);

  /**
   * {@link #setIfAbsent(Scope, String, JsonNode, ChangeOptions)} with a plain Java value, converted
   * as {@link #set(Scope, String, Object, ChangeOptions)} converts it.
   *
   * @throws dev.pipekeeper.core.InvalidInputException for a malformed key, a value Jackson cannot
   *     convert, or a refused value
   */
  ConfigCommit setIfAbsent(Scope scope, String key, Object value, ChangeOptions options);

  /**
   * Sets and deletes several keys atomically: a {@code null} value (or JSON null) deletes the key.
   *
   * @throws dev.pipekeeper.core.InvalidInputException for a malformed key or a refused value
   * @throws ConfigConflictException if the scope changed since its expected version (or since it
   *     was read)
   */
  ConfigCommit apply(Scope scope, Map<String, JsonNode> changes, ChangeOptions options);

  /**
   * Checks a change as {@link #apply} checks it before writing (key names, finite numbers, the size
   * limit, each key's schema in {@code scope}), and writes nothing: for editors that validate a
   * change before it is saved. A {@code null} value (a delete) passes. A check that passes does not
   * promise the write will: the schema or the scope may change in between.
   *
   * @throws dev.pipekeeper.core.InvalidInputException with the message {@link #apply} would refuse
   *     the change with
   */
  void check(Scope scope, Map<String, JsonNode> changes);

  /**
   * Sets and deletes several keys atomically, as {@link #apply} does, each key optionally at an
   * expected version, and writes {@code extra} nodes outside the cluster's tree in the same
   * ZooKeeper multi-op: all of it is written, or nothing. A commit whose keys would all be left as
   * they are writes the extra nodes alone (no history, no new scope version).
   *
   * @param changes at least one; a key at most once
   * @param extra written with the change (see {@link ExtraWrite}); may be empty
   * @param options who and why; the expected version is the scope's, as for {@link #apply}
   * @throws dev.pipekeeper.core.InvalidInputException for a malformed key, a refused value, a key
   *     given twice, or an extra path that is not absolute or lies in the cluster's tree
   * @throws ConfigConflictException if a key is not at its expected version, the scope changed
   *     since its expected version (or since it was read), or an extra node is not at its expected
   *     version (the message names it); nothing was written
   */
  ConfigCommit commit(
      Scope scope, List<KeyChange> changes, List<ExtraWrite> extra, ChangeOptions options);

  /**
   * {@link #apply} with plain Java values, each converted as {@link #set(Scope, String, Object,
   * ChangeOptions)} converts it; a {@code null} value deletes the key.
   *
   * @throws dev.pipekeeper.core.InvalidInputException for a malformed key, a value Jackson cannot
   *     convert, or a refused value
   * @throws ConfigConflictException if the scope changed since its expected version (or since it
   *     was read)
   */
  ConfigCommit applyValues(Scope scope, Map<String, ?> changes, ChangeOptions options);

  /**
   * Deletes one key.
   *
   * @throws dev.pipekeeper.core.InvalidInputException if the key does not exist
   */
  ConfigCommit delete(Scope scope, String key, ChangeOptions options);

  /** The key's recorded changes, oldest first (capped: the oldest are pruned). */
  List<HistoryEntry> history(Scope scope, String key);

  /**
   * Restores the value a key had after history entry {@code sequence}, as a new change.
   *
   * @throws dev.pipekeeper.core.InvalidInputException if there is no such entry
   */
  ConfigCommit rollback(Scope scope, String key, int sequence, ChangeOptions options);

  /**
   * Sets the JSON Schema (draft 2020-12) a key's values must satisfy ({@code "writeOnly": true}
   * marks it secret, in every scope and until {@link #reveal}: see {@link Secrets}). The schema is
   * checked against the draft 2020-12 meta-schema first.
   *
   * @throws dev.pipekeeper.core.InvalidInputException if it is not a valid schema, or the current
   *     value does not satisfy it
   * @throws ConfigConflictException if the key's value or schema changed while it was written
   */
  void setSchema(Scope scope, String key, JsonNode schema);

  /**
   * Makes {@code schema} the key's schema unless it already is: idempotent, and safe to call from
   * many instances at once. A conflict with another writer (one installing the same schema, or
   * changing the key's value) is retried on a fresh read until it converges; when the stored schema
   * equals {@code schema} (as JSON: key order does not matter) nothing is written. A different
   * stored schema is replaced, as {@link #setSchema} does.
   *
   * @return whether this call wrote the schema
   * @throws dev.pipekeeper.core.InvalidInputException if it is not a valid schema, or the current
   *     value does not satisfy it
   * @throws ConfigConflictException only if other writers kept changing the key or its schema
   *     through 100 attempts
   */
  boolean ensureSchema(Scope scope, String key, JsonNode schema);

  /** The key's schema in this scope, if it has one. */
  Optional<JsonNode> schema(Scope scope, String key);

  /**
   * Deletes the key's schema in this scope, if it has one: any JSON value is accepted then; a key
   * it made secret stays secret (see {@link #reveal}).
   */
  void deleteSchema(Scope scope, String key);

  /**
   * A live view resolving {@code scopes}, most specific last (e.g. global, pipeline/p, member/m).
   * Returns once the current values are loaded.
   */
  ConfigView view(List<Scope> scopes);

  /**
   * A member's view: member over pipeline over global, acknowledged under {@code memberId} (see
   * {@link #applied()}).
   */
  ConfigView view(String pipeline, String memberId);

  /** Which versions each member's view has applied, by member id: how operators see drift. */
  Map<String, AppliedConfig> applied();
}
