package dev.pipekeeper.core.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipekeeper.core.InvalidInputException;
import dev.pipekeeper.core.config.AppliedConfig;
import dev.pipekeeper.core.config.ChangeOptions;
import dev.pipekeeper.core.config.ConfigCommit;
import dev.pipekeeper.core.config.ConfigEntry;
import dev.pipekeeper.core.config.ConfigListing;
import dev.pipekeeper.core.config.ConfigView;
import dev.pipekeeper.core.config.Configuration;
import dev.pipekeeper.core.config.ExtraWrite;
import dev.pipekeeper.core.config.HistoryEntry;
import dev.pipekeeper.core.config.KeyChange;
import dev.pipekeeper.core.config.Scope;
import dev.pipekeeper.core.internal.Registry;
import dev.pipekeeper.core.internal.Session;
import dev.pipekeeper.core.internal.ZkLayout;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Configuration stored as one JSON node per key under {@code config/SCOPE}, changed only through
 * multi-ops that also write the scope's commit node and the keys' history entries. It composes the
 * parts: {@link ConfigReader} reads (and is shared with the views), {@link ConfigWriter} writes
 * values, {@link SchemaWriter} writes schemas, {@link SecretMarkers} keeps secrecy, and each {@link
 * DefaultConfigView} is opened here and registered with the connection.
 */
public final class DefaultConfiguration implements Configuration {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultConfiguration.class);

  private final Session session;
  private final Registry registry;
  private final ConfigReader reader;
  private final ConfigWriter writer;
  private final SchemaWriter schemas;
  private final SecretMarkers secrets;
  private final Acknowledgements acknowledgements;

  public DefaultConfiguration(
      Session session, Registry registry, int valueLimitBytes, int historyLimit) {
    this.session = session;
    this.registry = registry;
    this.reader = new ConfigReader(session);
    this.acknowledgements = new Acknowledgements(session);
    ChangeOps changeOps = new ChangeOps(session, historyLimit);
    this.writer = new ConfigWriter(session, reader, changeOps, valueLimitBytes);
    this.secrets = new SecretMarkers(session, reader, changeOps, this::scopesUnder);
    this.schemas = new SchemaWriter(session, reader, changeOps, secrets, writer);
  }

  // ---- reads ----

  @Override
  public Optional<ConfigEntry> get(Scope scope, String key) {
    return reader.get(scope, key);
  }

  @Override
  public ConfigListing listing(Scope scope) {
    return reader.listing(scope);
  }

  @Override
  public boolean isSecret(Scope scope, String key) {
    return reader.isSecret(scope, key);
  }

  @Override
  public ConfigCommit reveal(Scope scope, String key, ChangeOptions options) {
    ConfigCommit commit = secrets.reveal(scope, key, options);
    writer.forget(scope);
    return commit;
  }

  @Override
  public int version(Scope scope) {
    return reader.version(scope);
  }

  @Override
  public List<Scope> scopes() {
    return scopesUnder(ZkLayout.CONFIG);
  }

  /**
   * The scopes with a folder under {@code root} ({@code config} or {@code config-schema}); a node
   * there that is no scope name (written behind Pipekeeper's back) is skipped.
   */
  List<Scope> scopesUnder(String root) {
    return ScopeListing.scopes(session, root);
  }

  private List<String> children(String path) {
    return session.children(path);
  }

  // ---- writes ----

  @Override
  public ConfigCommit set(Scope scope, String key, JsonNode value, ChangeOptions options) {
    return writer.set(scope, key, value, options);
  }

  @Override
  public ConfigCommit set(Scope scope, String key, Object value, ChangeOptions options) {
    return writer.set(scope, key, value, options);
  }

  @Override
  public ConfigCommit setIfAbsent(Scope scope, String key, JsonNode value, ChangeOptions options) {
    return writer.setIfAbsent(scope, key, value, options);
  }

  @Override
  public ConfigCommit setIfAbsent(Scope scope, String key, Object value, ChangeOptions options) {
    return writer.setIfAbsent(scope, key, value, options);
  }

  @Override
  public ConfigCommit delete(Scope scope, String key, ChangeOptions options) {
    return writer.delete(scope, key, options);
  }

  @Override
  public ConfigCommit apply(Scope scope, Map<String, JsonNode> changes, ChangeOptions options) {
    return writer.apply(scope, changes, options);
  }

  @Override
  public void check(Scope scope, Map<String, JsonNode> changes) {
    writer.check(scope, changes);
  }

  @Override
  public ConfigCommit commit(
      Scope scope, List<KeyChange> changes, List<ExtraWrite> extra, ChangeOptions options) {
    return writer.commit(scope, changes, extra, options);
  }

  @Override
  public ConfigCommit applyValues(Scope scope, Map<String, ?> changes, ChangeOptions options) {
    return writer.applyValues(scope, changes, options);
  }

  // ---- history ----

  @Override
  public List<HistoryEntry> history(Scope scope, String key) {
    return reader.history(scope, key);
  }

  @Override
  public ConfigCommit rollback(Scope scope, String key, int sequence, ChangeOptions options) {
    return writer.rollback(scope, key, sequence, options);
  }

  // ---- schemas ----

  @Override
  public void setSchema(Scope scope, String key, JsonNode schema) {
    schemas.setSchema(scope, key, schema);
  }

  @Override
  public boolean ensureSchema(Scope scope, String key, JsonNode schema) {
    return schemas.ensureSchema(scope, key, schema);
  }

  @Override
  public Optional<JsonNode> schema(Scope scope, String key) {
    return reader.schema(scope, key);
  }

  @Override
  public void deleteSchema(Scope scope, String key) {
    schemas.deleteSchema(scope, key);
  }

  // ---- views ----

  @Override
  public ConfigView view(List<Scope> scopes) {
    return open(scopes, null);
  }

  @Override
  public ConfigView view(String pipeline, String memberId) {
    return open(
        List.of(Scope.global(), Scope.pipeline(pipeline), Scope.member(memberId)), memberId);
  }

  private ConfigView open(List<Scope> scopes, String memberId) {
    if (scopes.isEmpty()) {
      throw new InvalidInputException("a config view needs at least one scope");
    }
    DefaultConfigView view = new DefaultConfigView(reader, scopes, memberId, acknowledgements);
    view.start();
    view.forgetOnClose(registry.add(view));
    return view;
  }

  @Override
  public Map<String, AppliedConfig> applied() {
    return reader.applied();
  }
}
