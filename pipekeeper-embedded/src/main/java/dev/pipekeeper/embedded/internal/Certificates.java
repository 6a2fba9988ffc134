package dev.pipekeeper.embedded.internal;

import dev.pipekeeper.embedded.EmbeddedServerException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority and the PKCS12 key and trust stores made from it, with
 * BouncyCastle's certificate builder on the JDK's own providers (EC P-256 keys, SHA-256 with
 * ECDSA). For tests and local runs only: the CA's key is kept in a file beside the stores.
 */
public final class Certificates {
  private static final Duration VALIDITY = Duration.ofDays(365);
  private static final String SIGNATURE = "SHA256withECDSA";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate caCertificate;
  private final PrivateKey caKey;

  private Certificates(X509Certificate caCertificate, PrivateKey caKey) {
    this.caCertificate = caCertificate;
    this.caKey = caKey;
  }

  /** A new CA named {@code name}. */
  public static Certificates newAuthority(String name) {
    KeyPair pair = keyPair();
    X500Name subject = new X500Name("CN=" + name);
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder cert =
          builder(subject, subject, pair)
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  ext.createSubjectKeyIdentifier(pair.getPublic()));
      return new Certificates(sign(cert, pair.getPrivate()), pair.getPrivate());
    } catch (IOException | GeneralSecurityException e) {
      throw new EmbeddedServerException("cannot make a CA certificate: " + e.getMessage(), e);
    }
  }

  /** The CA kept in {@code caStore} by {@link #saveAuthority}. */
  public static Certificates loadAuthority(Path caStore, char[] password) {
    KeyStore store = load(caStore, password);
    try {
      return new Certificates(
          (X509Certificate) store.getCertificate("ca"), (PrivateKey) store.getKey("ca", password));
    } catch (GeneralSecurityException e) {
      throw new EmbeddedServerException("cannot read the CA in " + caStore, e);
    }
  }

  public void saveAuthority(Path caStore, char[] password) {
    save(caStore, password, "ca", caKey, new Certificate[] {caCertificate});
  }

  /** A truststore holding the CA certificate only. */
  public void writeTruststore(Path file, char[] password) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setCertificateEntry("ca", caCertificate);
      write(store, file, password);
    } catch (IOException | GeneralSecurityException e) {
      throw new EmbeddedServerException("cannot write truststore " + file, e);
    }
  }

  /**
   * A keystore with a key and a certificate for {@code commonName} signed by this CA, for servers
   * and clients alike; {@code dnsNames} and {@code ipAddresses} become its subject alternative
   * names (what hostname verification checks).
   */
  public void writeKeystore(
      Path file, char[] password, String commonName, List<String> dnsNames, List<String> ips) {
    KeyPair pair = keyPair();
    X500Name issuer = new X500Name(caCertificate.getSubjectX500Principal().getName());
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder cert =
          builder(issuer, new X500Name("CN=" + commonName), pair)
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(
                  Extension.keyUsage,
                  true,
                  new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(
                      new KeyPurposeId[] {
                        KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                      }))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  ext.createAuthorityKeyIdentifier(caCertificate));
      if (!dnsNames.isEmpty() || !ips.isEmpty()) {
        GeneralName[] names = new GeneralName[dnsNames.size() + ips.size()];
        int i = 0;
        for (String dns : dnsNames) {
          names[i++] = new GeneralName(GeneralName.dNSName, dns);
        }
        for (String ip : ips) {
          names[i++] = new GeneralName(GeneralName.iPAddress, ip);
        }
        cert.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      save(
          file,
          password,
          commonName,
          pair.getPrivate(),
          new Certificate[] {sign(cert, caKey), caCertificate});
    } catch (IOException | GeneralSecurityException e) {
      throw new EmbeddedServerException("cannot make a certificate for " + commonName, e);
    }
  }

  private static JcaX509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, KeyPair pair) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        new BigInteger(64, RANDOM).abs().add(BigInteger.ONE),
        Date.from(now.minus(Duration.ofHours(1))),
        Date.from(now.plus(VALIDITY)),
        subject,
        pair.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder cert, PrivateKey key)
      throws GeneralSecurityException {
    try {
      ContentSigner signer = new JcaContentSignerBuilder(SIGNATURE).build(key);
      return new JcaX509CertificateConverter().getCertificate(cert.build(signer));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e.getMessage(), e);
    }
  }

  private static KeyPair keyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new EmbeddedServerException("cannot make an EC key: " + e.getMessage(), e);
    }
  }

  private static void save(
      Path file, char[] password, String alias, PrivateKey key, Certificate[] chain) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(alias, key, password, chain);
      write(store, file, password);
    } catch (IOException | GeneralSecurityException e) {
      throw new EmbeddedServerException("cannot write keystore " + file, e);
    }
  }

  private static void write(KeyStore store, Path file, char[] password)
      throws IOException, GeneralSecurityException {
    OwnerOnly.createFile(file);
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, password);
    }
  }

  private static KeyStore load(Path file, char[] password) {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw new EmbeddedServerException("cannot read keystore " + file + ": " + e.getMessage(), e);
    }
  }
}
