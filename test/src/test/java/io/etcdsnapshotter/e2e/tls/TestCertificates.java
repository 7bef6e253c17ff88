package io.etcdsnapshotter.e2e.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
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
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Generates a fresh test PKI (EC P-256, valid for a day) as PEM files; private keys are PKCS#8, mode 0600. */
public final class TestCertificates {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private TestCertificates() {}

  public static TlsMaterial generate(Path dir) {
    try {
      Issued ca = selfSignedCa("etcd-snapshotter e2e CA");
      Issued server = issue(ca, new X500Name("CN=127.0.0.1"), KeyPurposeId.id_kp_serverAuth, true);
      Issued client = issue(ca, new X500Name("CN=root"), KeyPurposeId.id_kp_clientAuth, false);
      Issued otherCa = selfSignedCa("unrelated CA");
      return new TlsMaterial(
          writeCert(dir.resolve("ca.pem"), ca),
          writeCert(dir.resolve("server.pem"), server),
          writeKey(dir.resolve("server-key.pem"), server.keys()),
          writeCert(dir.resolve("client.pem"), client),
          writeKey(dir.resolve("client-key.pem"), client.keys()),
          writeCert(dir.resolve("other-ca.pem"), otherCa));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot generate test certificates", e);
    }
  }

  /**
   * A kube-apiserver's PKI in {@code dir}: its serving certificate, an admin client certificate (group
   * system:masters, which RBAC lets do anything) and the key it signs service-account tokens with.
   */
  public static ApiServerTls generateForApiServer(Path dir) {
    try {
      Issued ca = selfSignedCa("etcd-snapshotter e2e kubernetes CA");
      Issued server = issue(ca, new X500Name("CN=kube-apiserver"), KeyPurposeId.id_kp_serverAuth, true);
      Issued admin = issue(ca, new X500Name("O=system:masters,CN=e2e-admin"), KeyPurposeId.id_kp_clientAuth, false);
      KeyPair serviceAccounts = newKeyPair();
      return new ApiServerTls(
          writeCert(dir.resolve("kube-ca.pem"), ca),
          writeCert(dir.resolve("kube-apiserver.pem"), server),
          writeKey(dir.resolve("kube-apiserver-key.pem"), server.keys()),
          writeCert(dir.resolve("kube-admin.pem"), admin),
          writeKey(dir.resolve("kube-admin-key.pem"), admin.keys()),
          writeKey(dir.resolve("service-account-key.pem"), serviceAccounts),
          writePem(dir.resolve("service-account.pem"), serviceAccounts.getPublic()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot generate test certificates", e);
    }
  }

  private record Issued(X509Certificate certificate, KeyPair keys) {}

  private static Issued selfSignedCa(String name) throws GeneralSecurityException, IOException,
      OperatorCreationException {
    KeyPair keys = newKeyPair();
    X500Name subject = new X500Name("CN=" + name);
    X509v3CertificateBuilder builder = builder(subject, subject, keys);
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return new Issued(sign(builder, keys.getPrivate()), keys);
  }

  private static Issued issue(Issued ca, X500Name subject, KeyPurposeId purpose, boolean loopbackNames)
      throws GeneralSecurityException, IOException, OperatorCreationException {
    KeyPair keys = newKeyPair();
    X500Name issuer = X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
    X509v3CertificateBuilder builder = builder(issuer, subject, keys);
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    builder.addExtension(Extension.keyUsage, true,
        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
    builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
    if (loopbackNames) {
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
          new GeneralName(GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress()),
          new GeneralName(GeneralName.dNSName, "localhost")}));
    }
    return new Issued(sign(builder, ca.keys().getPrivate()), keys);
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject,
        keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
      throws GeneralSecurityException, OperatorCreationException {
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
  }

  private static Path writeCert(Path file, Issued issued) throws IOException {
    return writePem(file, issued.certificate());
  }

  private static Path writeKey(Path file, KeyPair keys) throws IOException {
    writePem(file, new JcaPKCS8Generator(keys.getPrivate(), null));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  private static Path writePem(Path file, Object pemObject) throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
        JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(pemObject);
    }
    return file;
  }
}
