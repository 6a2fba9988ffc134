package dev.pipekeeper.console;

import dev.pipekeeper.core.Pipekeeper;
import dev.pipekeeper.core.PipekeeperException;
import io.javalin.Javalin;
import java.net.URI;

/** The console on Javalin (Jetty 12): its routes ({@link Routes}), events and watches. */
final class DefaultConsole implements Console {
  private final Pipekeeper pk;
  private final ConsoleBuilder.ConsoleSettings settings;
  private State state = State.LATENT;
  private EventFeed feed;
  private Watches watches;
  private Javalin server;
  private int port = -1;

  DefaultConsole(Pipekeeper pk, ConsoleBuilder.ConsoleSettings settings) {
    this.pk = pk;
    this.settings = settings;
  }

  @Override
  public synchronized Console start() {
    if (state == State.STARTED) {
      return this;
    }
    if (state == State.CLOSED) {
      throw new IllegalStateException("the console is closed; build another");
    }
    feed = new EventFeed(settings.eventHistory());
    OperatorTokens operators = settings.operators();
    AuditFeed auditFeed = settings.audit();
    Api api = new Api(pk, operators.writable(), auditFeed == null ? null : auditFeed.source());
    Writes writes = new Writes(pk, api, operators);
    AuditApi audit = new AuditApi(pk.cluster(), auditFeed);
    server =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.startup.showOldJavalinVersionWarning = false;
              config.http.maxRequestSize = Routes.MAX_BODY;
              config.jetty.modifyServer(jetty -> jetty.setErrorHandler(new JettyErrors()));
              Routes.page(config.staticFiles);
              Routes.register(config.routes, api, writes, audit, feed);
            });
    try {
      server.start(settings.host(), settings.port());
    } catch (RuntimeException e) {
      feed.close();
      throw new PipekeeperException(
          "cannot serve the console on "
              + settings.host()
              + ":"
              + settings.port()
              + ": "
              + e.getMessage(),
          e);
    }
    port = server.port();
    watches = new Watches(pk, feed);
    watches.start();
    if (auditFeed != null) {
      EventFeed events = feed;
      auditFeed.follow(event -> events.publish("audit", event));
    }
    state = State.STARTED;
    return this;
  }

  @Override
  public synchronized int port() {
    if (state != State.STARTED) {
      throw new IllegalStateException("the console is " + state + ", not started");
    }
    return port;
  }

  @Override
  public URI url() {
    String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
    return URI.create("http://" + host + ":" + port() + "/");
  }

  @Override
  public synchronized State state() {
    return state;
  }

  @Override
  public synchronized void close() {
    if (state == State.CLOSED) {
      return;
    }
    boolean started = state == State.STARTED;
    state = State.CLOSED;
    if (started) {
      feed.close();
      server.stop();
      watches.close();
    }
    if (settings.audit() != null) {
      settings.audit().close();
    }
  }

  @Override
  public String toString() {
    return "console of cluster " + pk.cluster() + (port > 0 ? " on port " + port : "");
  }
}
