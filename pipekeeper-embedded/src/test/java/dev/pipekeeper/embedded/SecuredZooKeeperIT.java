package dev.pipekeeper.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipekeeper.embedded.junit.TestTimeouts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.client.ZKClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecuredZooKeeperIT {
  private static final Duration BOUND = TestTimeouts.scaled(Duration.ofSeconds(10));
  private static final String SECTION = "SecuredZooKeeperIT-admin";

  @TempDir static Path dir;
  private static EmbeddedZooKeeper zk;
  private static Configuration previous;

  @BeforeAll
  static void start() {
    EmbeddedSecurity security = EmbeddedSecurity.create(dir.resolve("security"));
    zk = EmbeddedZooKeeper.builder().secure(security).build().start();
    previous = Configuration.getConfiguration();
    // This test's own JAAS section; Pipekeeper's core makes one per connection instead.
    Configuration.setConfiguration(
        new Configuration() {
          @Override
          public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
            if (!SECTION.equals(name)) {
              return previous.getAppConfigurationEntry(name);
            }
            return new AppConfigurationEntry[] {
              new AppConfigurationEntry(
                  "org.apache.zookeeper.server.auth.DigestLoginModule",
                  AppConfigurationEntry.LoginModuleControlFlag.REQUIRED,
                  Map.of("username", "admin", "password", security.password("admin")))
            };
          }
        });
  }

  @AfterAll
  static void stop() {
    Configuration.setConfiguration(previous);
    if (zk != null) {
      zk.close();
    }
  }

  @Test
  void writesOwnerOnlyFilesAndAClientConfigPerUser() throws IOException {
    EmbeddedSecurity security = zk.security().orElseThrow();
    for (String user : EmbeddedSecurity.USERS) {
      Path file = zk.clientConfigFile(user);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
      assertThat(
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(security.passwordFile(user))))
          .isEqualTo("rw-------");
      Properties p = load(file);
      assertThat(p.getProperty("zookeeper.client.secure")).isEqualTo("true");
      assertThat(p.getProperty(EmbeddedZooKeeper.SASL_USERNAME)).isEqualTo(user);
      assertThat(Files.readString(file)).doesNotContain(security.password(user));
    }
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(security.serverKeystore())))
        .isEqualTo("rw-------");
  }

  @Test
  void refusesAPlaintextClient() throws Exception {
    try (CuratorFramework plain = curator(new ZKClientConfig())) {
      assertThat(plain.blockUntilConnected((int) BOUND.toMillis(), TimeUnit.MILLISECONDS))
          .as("a plaintext client never gets a session on the TLS port")
          .isFalse();
    }
  }

  @Test
  void refusesATlsClientWithoutSasl() throws Exception {
    ZKClientConfig config = fileConfig("admin");
    config.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "false");
    try (CuratorFramework client = curator(config)) {
      // The session is made, the first request is refused and the session closed; the close can
      // reach the client before the answer does.
      assertThatThrownBy(() -> client.checkExists().forPath("/"))
          .isInstanceOfAny(
              KeeperException.SessionClosedRequireAuthException.class,
              KeeperException.ConnectionLossException.class);
    }
  }

  @Test
  void servesAnAuthenticatedAdminOverTls() throws Exception {
    ZKClientConfig config = fileConfig("admin");
    config.setProperty(ZKClientConfig.LOGIN_CONTEXT_NAME_KEY, SECTION);
    try (CuratorFramework client = curator(config)) {
      assertThat(client.blockUntilConnected((int) BOUND.toMillis(), TimeUnit.MILLISECONDS))
          .isTrue();
      client
          .create()
          .withMode(CreateMode.PERSISTENT)
          .withACL(ZooDefs.Ids.CREATOR_ALL_ACL)
          .forPath("/secured", "yes".getBytes(UTF_8));
      assertThat(client.getData().forPath("/secured")).isEqualTo("yes".getBytes(UTF_8));
      assertThat(client.getACL().forPath("/secured").get(0).getId().getScheme()).isEqualTo("sasl");
      assertThat(client.getACL().forPath("/secured").get(0).getId().getId()).isEqualTo("admin");
    }
  }

  private static ZKClientConfig fileConfig(String user) throws Exception {
    return new ZKClientConfig(zk.clientConfigFile(user));
  }

  private static CuratorFramework curator(ZKClientConfig config) {
    CuratorFramework client =
        CuratorFrameworkFactory.builder()
            .connectString(zk.connectString())
            .sessionTimeoutMs(10_000)
            .connectionTimeoutMs((int) BOUND.toMillis())
            .retryPolicy(new RetryOneTime(200))
            .zkClientConfig(config)
            .build();
    client.start();
    return client;
  }

  private static Properties load(Path file) throws IOException {
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(file, UTF_8)) {
      p.load(in);
    }
    return p;
  }
}
