package dev.pipekeeper.core.security.internal;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The client key manager of a handshake check: the connection's own key manager (or none, when it
 * has no keystore) that also notes whether the server asked for a client certificate, which the JDK
 * does not otherwise tell a TLS 1.3 client.
 */
final class CertificateRequests extends X509ExtendedKeyManager {
  private final X509ExtendedKeyManager keys;
  private volatile boolean asked;
  private volatile boolean offered;

  /** {@code keys} may be null: then no certificate is ever offered. */
  CertificateRequests(X509ExtendedKeyManager keys) {
    this.keys = keys;
  }

  /** Forgets an earlier handshake's request. */
  void reset() {
    asked = false;
    offered = false;
  }

  /** Whether the server asked for a client certificate since {@link #reset()}. */
  boolean asked() {
    return asked;
  }

  /**
   * Whether a certificate was offered since {@link #reset()}: the JDK offers one only when it is
   * issued by one of the CAs the server named in its request (or the server named none).
   */
  boolean offered() {
    return offered;
  }

  private String noted(String alias) {
    if (alias != null) {
      offered = true;
    }
    return alias;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    asked = true;
    return keys == null ? null : noted(keys.chooseClientAlias(keyType, issuers, socket));
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    asked = true;
    return keys == null ? null : noted(keys.chooseEngineClientAlias(keyType, issuers, engine));
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return keys == null ? null : keys.getClientAliases(keyType, issuers);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return keys == null ? null : keys.getCertificateChain(alias);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return keys == null ? null : keys.getPrivateKey(alias);
  }

  // A client's key manager serves no server side.
  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return null;
  }
}
