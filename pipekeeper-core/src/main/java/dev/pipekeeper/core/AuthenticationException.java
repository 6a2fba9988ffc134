package dev.pipekeeper.core;

/**
 * A connection was refused for what it is or what it presented rather than for where it went: the
 * TLS handshake failed (an untrusted or misnamed certificate, a plaintext client on a TLS port, a
 * TLS client on a plaintext port), or SASL authentication failed or was required and not attempted.
 * The message is one line naming what failed and where. Retrying with the same settings fails the
 * same way.
 */
public class AuthenticationException extends PipekeeperException {
  private static final long serialVersionUID = 1L;

  public AuthenticationException(String message) {
    super(message);
  }

  public AuthenticationException(String message, Throwable cause) {
    super(message, cause);
  }
}
